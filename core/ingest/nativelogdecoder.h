#pragma once

#include "ingestdecoder.h"
#include "serviceregistry.h"

namespace fg {

// POST /api/ingest/logs: FlowGuard's own JSON log objects (array, single object or NDJSON).
// Fields not in the schema are kept inside attributes rather than dropped.
class NativeLogDecoder final : public IngestDecoder {
public:
    // services: when given, items of a service beyond its cap are rejected.
    explicit NativeLogDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                        DecodeBudget *budget) override;

private:
    ServiceRegistry *m_services;
    JsonItems m_items;
};

} // namespace fg
