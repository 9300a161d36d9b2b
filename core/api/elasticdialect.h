#pragma once

#include "ingestdialect.h"

namespace fg {

// Elasticsearch _bulk answers: 200 with one result per action in order ({"create":{"status":201,…}}),
// refused documents as status 400 mapper_parsing_exception items with "errors":true (shippers retry only
// those), and the X-Elastic-Product header official clients insist on. A body that is not bulk NDJSON is
// a 400 in Elasticsearch's error shape, naming the field.
class ElasticDialect final : public IngestDialect {
public:
    std::optional<BodyFormat> formatFor(const QByteArray &mediaType) const override;
    HttpResponse unsupportedType(const QByteArray &mediaType) const override;
    HttpResponse malformed(const std::string &message) const override;
    HttpResponse committed(int accepted, int duplicates, const ItemErrors &errors) const override;
    HttpResponse allRejected(const ItemErrors &errors) const override;
    HttpResponse answer(const std::string &itemKinds, const std::vector<std::string> &itemIds, int accepted,
                        int duplicates, const ItemErrors &errors) const override;
};

// The probes shippers make before sending: GET|HEAD / (cluster info), /_cat/health, /_cluster/health.
struct ElasticProbes {
    static HttpResponse answer(const HttpRequest &request);
};

} // namespace fg
