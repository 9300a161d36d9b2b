#pragma once

#include "ingestdecoder.h"
#include "serviceregistry.h"

namespace fg {

// POST /api/ingest/logs: FlowGuard's own JSON log objects (array, single object or NDJSON).
// Fields not in the schema are kept inside attributes rather than dropped. An item without service (or
// service_name) takes the request's ?service=.
class NativeLogDecoder final : public IngestDecoder {
public:
    // services: when given, items of a service beyond its cap are rejected.
    explicit NativeLogDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                        DecodeBudget *budget, std::string_view queryService) override;

private:
    ServiceRegistry *m_services;
    JsonItems m_items;
};

// One native log object (also a JSON line of POST /ingest); false with the error filled in.
// defaultService: used when the object names none ("" : service is required).
bool decodeLogObject(simdjson::dom::object obj, TimeNs receivedAt, std::string_view defaultService, LogRecord &r,
                     ItemError &error);

} // namespace fg
