#pragma once

#include "ingestdecoder.h"
#include "serviceregistry.h"

namespace fg {

// POST /api/ingest/metrics: generic samples {service, ts, name, value, type, tags} and KPI snapshots
// {service, ts, tps, error_rate, p95_latency_ms, …} where every numeric field becomes a sample.
class NativeMetricDecoder final : public IngestDecoder {
public:
    // services: when given, items of a service beyond its cap are rejected.
    explicit NativeMetricDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                        DecodeBudget *budget) override;

private:
    ServiceRegistry *m_services;
    JsonItems m_items;
};

} // namespace fg
