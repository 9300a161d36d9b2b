#pragma once

#include "ingestdecoder.h"
#include "otlpjson.h"
#include "serviceregistry.h"

namespace fg {

// POST /v1/logs: an OTLP/HTTP JSON ExportLogsServiceRequest. Each log record is one item: the resource's
// service.name is the service, severityNumber (or severityText) the level, body the message; record
// attributes and the resource's attributes (under "resource") become attributes;
// http.route/url.path, http.request.method and http.response.status_code also fill the request fields.
class OtlpLogDecoder final : public IngestDecoder {
public:
    explicit OtlpLogDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                        DecodeBudget *budget, std::string_view queryService) override;

private:
    ServiceRegistry *m_services;
    otlp::RequestWalker m_walker;
};

} // namespace fg
