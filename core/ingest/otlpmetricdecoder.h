#pragma once

#include "cumulativetracker.h"
#include "ingestdecoder.h"
#include "otlpjson.h"
#include "seriesregistry.h"
#include "serviceregistry.h"

namespace fg {

// POST /v1/metrics: an OTLP/HTTP JSON ExportMetricsServiceRequest. Each data point is one item; its
// attributes are the series tags.
// - gauge → a gauge sample of the metric's name.
// - sum: delta → a counter sample; cumulative and monotonic → the delta since the previous export as a
//   counter sample (CumulativeTracker: exported twice is counted once; summing a window gives its
//   count); cumulative, not monotonic (an up-down counter) → a gauge of its value.
// - histogram → `<name>.count` and `<name>.sum` counter samples (deltas, as above) and `<name>.p95`, a
//   gauge estimated from bucketCounts/explicitBounds by linear interpolation inside the bucket
//   (Prometheus histogram_quantile), bounded by min/max when given.
// - exponentialHistogram and summary points are refused (reported in partialSuccess).
class OtlpMetricDecoder final : public IngestDecoder {
public:
    OtlpMetricDecoder(ServiceRegistry *services, SeriesRegistry *series, TimeNs startedAt);
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                        DecodeBudget *budget, std::string_view queryService) override;
    bool keepsState() const override { return true; } // cumulative points become deltas

    // Exposed for tests: the p95 of one histogram point (counts per bucket, bounds between them).
    static double p95(const std::vector<double> &bucketCounts, const std::vector<double> &bounds, double min, double max);

private:
    ServiceRegistry *m_services;
    SeriesRegistry *m_series;
    CumulativeTracker m_cumulative;
    otlp::RequestWalker m_walker;
};

} // namespace fg
