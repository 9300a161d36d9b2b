#include "nativedialect.h"

#include "apierror.h"

namespace fg {

std::optional<BodyFormat> NativeDialect::formatFor(const QByteArray &type) const
{
    // Several JSON documents, one a line, are often sent as application/json: take them as NDJSON.
    if (type == "application/json")
        return BodyFormat::Auto;
    if (type == "application/x-ndjson" || type == "application/ndjson" || type == "application/jsonl"
        || type == "application/x-jsonlines" || type == "application/jsonlines")
        return BodyFormat::Ndjson;
    if (m_acceptText && (type == "text/plain" || type.isEmpty() || type == "application/x-www-form-urlencoded"))
        return BodyFormat::Text;
    // What `curl -d` sends, or nothing at all: accepted when the body is JSON.
    if (type.isEmpty() || type == "application/x-www-form-urlencoded")
        return BodyFormat::Auto;
    return std::nullopt;
}

HttpResponse NativeDialect::unsupportedType(const QByteArray &type) const
{
    return apiError(415,
                    QStringLiteral("Content-Type '%1' is not supported; send %2application/json or application/x-ndjson")
                        .arg(QString::fromLatin1(type), m_acceptText ? QStringLiteral("text/plain, ") : QString()),
                    QJsonObject{{QStringLiteral("field"), QStringLiteral("Content-Type")}});
}

HttpResponse NativeDialect::malformed(const std::string &message) const
{
    return apiError(400, QString::fromStdString(message), QJsonObject{{QStringLiteral("field"), QStringLiteral("body")}});
}

HttpResponse NativeDialect::committed(int accepted, int duplicates, const ItemErrors &errors) const
{
    return rawJsonResponse(202, ingestCountsJson(accepted, duplicates, errors) + "}");
}

HttpResponse NativeDialect::allRejected(const ItemErrors &errors) const
{
    const std::string summary = errors.total() == 1 ? "the item was rejected: " + errors.front().message
                                                    : "all " + std::to_string(errors.total()) + " items were rejected";
    std::string body = ingestCountsJson(0, 0, errors);
    body += ",\"error\":\"ValidationError\",\"message\":";
    appendJsonString(body, summary);
    body += ",\"details\":{\"rejected\":" + std::to_string(errors.total()) + "}}";
    return rawJsonResponse(422, std::move(body));
}

} // namespace fg
