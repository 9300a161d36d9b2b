#pragma once

#include "ingestdecoder.h"
#include "serviceregistry.h"

namespace fg {

// POST /ingest/traces: flat span objects (a JSON array, one object or NDJSON) of the signal ingest dialect:
// service_name (or service, or ?service=), trace_id (32 hex), span_id (16 hex), parent_span_id, name,
// start_time and end_time (ISO 8601 or epoch), status ("ok"|"error"), status_code, kind, attributes,
// signal_id (idempotency key). Stored as OTLP spans are: an event tagged span whose root or server spans
// are requests (duration → latency, error status or status_code ≥ 500 → error).
class SignalSpanDecoder final : public IngestDecoder {
public:
    explicit SignalSpanDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                        std::string_view queryService) override;

private:
    ServiceRegistry *m_services;
    JsonItems m_items;
};

} // namespace fg
