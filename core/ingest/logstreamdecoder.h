#pragma once

#include "ingestdecoder.h"
#include "serviceregistry.h"

namespace fg {

// POST /api/logs/stream/{service}: {"service_name":…,"logs":[{native log object}…]}, and …/single: one
// native log object. Items that name no service belong to the path's (passed as queryService).
class LogStreamDecoder final : public IngestDecoder {
public:
    explicit LogStreamDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                        std::string_view queryService) override;

private:
    ServiceRegistry *m_services;
    simdjson::dom::parser m_parser;
};

} // namespace fg
