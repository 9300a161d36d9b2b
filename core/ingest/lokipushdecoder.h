#pragma once

#include "ingestdecoder.h"
#include "serviceregistry.h"

namespace fg {

// POST /loki/api/v1/push: Loki's JSON push body {"streams":[{"stream":{labels},"values":[[ns, line],
// [ns, line, {structured metadata}]]}]}. Each value is one item. The service is the first of the labels
// service_name, service, app, job (Loki's own service-name discovery order) and "unknown_service" without
// any; the level is the label level, detected_level or severity (else inferred from the line); the other
// labels and the structured metadata become attributes, and a trace_id/span_id in the metadata the
// event's trace and span. Timestamps are nanoseconds as a decimal string (Loki's form) or a number.
class LokiPushDecoder final : public IngestDecoder {
public:
    explicit LokiPushDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                        DecodeBudget *budget, std::string_view queryService) override;

private:
    ServiceRegistry *m_services;
    simdjson::dom::parser m_parser;
};

} // namespace fg
