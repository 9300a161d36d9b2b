#pragma once

#include "ingestdecoder.h"
#include "serviceregistry.h"

namespace fg {

// POST /ingest: log lines as they are written. Plain text (BodyFormat::Text) is one event a line
// (blank lines skipped; CR LF accepted): a line starting with `{` that parses as a JSON object is read as
// a native log object, any other line is the message, its level and request fields read from the text by
// the classifier. JSON bodies (NDJSON, an array or one object) are native log objects throughout. The
// service is the item's service/service_name field, else the request's ?service=; without either the
// line is refused naming the service field.
class RawLineDecoder final : public IngestDecoder {
public:
    explicit RawLineDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                        DecodeBudget *budget, std::string_view queryService) override;

private:
    ServiceRegistry *m_services;
    JsonItems m_items;
    simdjson::dom::parser m_lineParser;
};

} // namespace fg
