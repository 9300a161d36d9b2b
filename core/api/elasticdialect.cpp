#include "elasticdialect.h"

#include <QJsonObject>

#include "apierror.h"

namespace fg {

namespace {

HttpResponse elastic(int status, std::string body)
{
    HttpResponse r = rawJsonResponse(status, std::move(body));
    r.headers.emplace_back("X-Elastic-Product", "Elasticsearch");
    return r;
}

const char *actionName(char kind)
{
    switch (kind) {
    case 'c': return "create";
    case 'd': return "delete";
    case 'u': return "update";
    default: return "index";
    }
}

} // namespace

std::optional<BodyFormat> ElasticDialect::formatFor(const QByteArray &type) const
{
    if (type == "application/x-ndjson" || type == "application/json" || type.isEmpty()
        || type == "application/x-www-form-urlencoded" || type == "text/plain"
        || type.startsWith("application/vnd.elasticsearch+"))
        return BodyFormat::Ndjson;
    return std::nullopt;
}

HttpResponse ElasticDialect::unsupportedType(const QByteArray &type) const
{
    return apiError(415, QStringLiteral("Content-Type '%1' is not supported; send _bulk NDJSON (application/x-ndjson)")
                             .arg(QString::fromLatin1(type)),
                    QJsonObject{{QStringLiteral("field"), QStringLiteral("Content-Type")}});
}

HttpResponse ElasticDialect::malformed(const std::string &message) const
{
    std::string body = "{\"error\":{\"type\":\"illegal_argument_exception\",\"reason\":";
    appendJsonString(body, message);
    body += ",\"field\":\"body\"},\"status\":400,\"message\":";
    appendJsonString(body, message);
    body += '}';
    HttpResponse r = rawJsonResponse(400, std::move(body));
    return r;
}

HttpResponse ElasticDialect::committed(int accepted, int duplicates, const ItemErrors &errors) const
{
    return answer(std::string(std::size_t(accepted + errors.total()), 'i'), {}, accepted, duplicates, errors);
}

HttpResponse ElasticDialect::allRejected(const ItemErrors &errors) const
{
    return answer(std::string(std::size_t(errors.total()), 'i'), {}, 0, 0, errors);
}

HttpResponse ElasticDialect::answer(const std::string &kinds, const std::vector<std::string> &, int, int,
                                    const ItemErrors &errors) const
{
    const std::vector<int> &failed = errors.indices();
    std::string body = "{\"took\":1,\"errors\":";
    body += failed.empty() ? "false" : "true";
    body += ",\"items\":[";
    std::size_t nextFailed = 0, nextListed = 0;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        if (i)
            body += ',';
        const char *action = actionName(kinds[i]);
        body += "{\"" + std::string(action) + "\":{\"_index\":\"flowguard\",";
        while (nextFailed < failed.size() && failed[nextFailed] < int(i))
            ++nextFailed;
        if (nextFailed < failed.size() && failed[nextFailed] == int(i)) {
            while (nextListed < errors.size() && errors[nextListed].index < int(i))
                ++nextListed;
            const bool described = nextListed < errors.size() && errors[nextListed].index == int(i);
            body += "\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":";
            appendJsonString(body, described ? errors[nextListed].message : std::string("the document was rejected"));
            body += ",\"field\":";
            appendJsonString(body, described && !errors[nextListed].field.empty() ? errors[nextListed].field : "document");
            body += "}}}";
            continue;
        }
        switch (kinds[i]) {
        case 'd': body += "\"status\":404,\"result\":\"not_found\"}}"; break;
        case 'u': body += "\"status\":200,\"result\":\"noop\"}}"; break;
        default: body += "\"status\":201,\"result\":\"created\"}}"; break;
        }
    }
    body += "]}";
    return elastic(200, std::move(body));
}

HttpResponse ElasticProbes::answer(const HttpRequest &request)
{
    HttpResponse r;
    if (request.path == "/_cat/health") {
        // What _cat prints: epoch, time, cluster, status, and node and shard counts.
        r.contentType = "text/plain; charset=UTF-8";
        if (request.method != "HEAD")
            r.body = QByteArray::number(nowNs() / kNsPerSec) + " 00:00:00 flowguard green 1 1 0 0 0 0 0 0 - 100.0%\n";
    } else if (request.path == "/_cluster/health") {
        r.body = "{\"cluster_name\":\"flowguard\",\"status\":\"green\",\"timed_out\":false,\"number_of_nodes\":1,"
                 "\"number_of_data_nodes\":1}";
    } else if (request.method != "HEAD") {
        r.body = "{\"name\":\"flowguard\",\"cluster_name\":\"flowguard\",\"cluster_uuid\":\"flowguard\","
                 "\"version\":{\"number\":\"8.11.0\",\"build_flavor\":\"default\",\"lucene_version\":\"9.8.0\","
                 "\"minimum_wire_compatibility_version\":\"7.17.0\",\"minimum_index_compatibility_version\":\"7.0.0\"},"
                 "\"tagline\":\"You Know, for Search\"}";
    }
    r.headers.emplace_back("X-Elastic-Product", "Elasticsearch");
    return r;
}

} // namespace fg
