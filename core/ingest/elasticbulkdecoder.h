#pragma once

#include "ingestdecoder.h"
#include "serviceregistry.h"

namespace fg {

// The Elasticsearch _bulk subset log shippers send (Fluent Bit, Vector, Filebeat, rsyslog's
// omelasticsearch): NDJSON action lines, each index/create followed by its document. delete and update
// are acknowledged and ignored (update's line is skipped). A document becomes a log: time from
// @timestamp|timestamp|time (RFC 3339 or epoch ms), message from message|log|msg, level from
// level|log.level|severity|levelname, service from service.name|service|app|kubernetes.container_name,
// else the action's _index, else the URL's (passed as queryService); its other fields become attributes.
// A malformed action line makes the whole body malformed (as Elasticsearch answers); a bad document is
// that item's error. DecodeResult::itemKinds holds one letter per action (c, i, d, u) for the answer.
class ElasticBulkDecoder final : public IngestDecoder {
public:
    explicit ElasticBulkDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                        std::string_view queryService) override;

private:
    ServiceRegistry *m_services;
    simdjson::dom::parser m_parser;
};

} // namespace fg
