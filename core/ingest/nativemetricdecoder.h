#pragma once

#include "ingestdecoder.h"
#include "seriesregistry.h"
#include "serviceregistry.h"

namespace fg {

// POST /api/ingest/metrics: generic samples {service, ts, name, value, type, tags} and KPI snapshots
// {service, ts, tps, error_rate, p95_latency_ms, …} where every numeric field becomes a sample.
class NativeMetricDecoder final : public IngestDecoder {
public:
    // services, series: when given, items of a service or of new series beyond their caps are rejected.
    explicit NativeMetricDecoder(ServiceRegistry *services = nullptr, SeriesRegistry *series = nullptr)
        : m_services(services), m_series(series)
    {
    }
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                        DecodeBudget *budget, std::string_view queryService) override;

private:
    ServiceRegistry *m_services;
    SeriesRegistry *m_series;
    JsonItems m_items;
};

} // namespace fg
