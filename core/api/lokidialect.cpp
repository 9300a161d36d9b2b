#include "lokidialect.h"

#include <QJsonObject>

#include "apierror.h"

namespace fg {

namespace {

HttpResponse rejected(int accepted, const ItemErrors &errors)
{
    const std::string summary = accepted == 0
                                    ? "all " + std::to_string(errors.total()) + " entries were rejected"
                                    : std::to_string(errors.total()) + " entries were rejected; the other "
                                          + std::to_string(accepted) + " were stored";
    std::string body = ingestCountsJson(accepted, 0, errors);
    body += ",\"error\":\"ValidationError\",\"message\":";
    appendJsonString(body, summary + ": " + errors.front().message);
    body += ",\"details\":{\"field\":";
    appendJsonString(body, errors.front().field.empty() ? std::string("body") : errors.front().field);
    body += ",\"rejected\":" + std::to_string(errors.total()) + "}}";
    return rawJsonResponse(400, std::move(body));
}

} // namespace

std::optional<BodyFormat> LokiDialect::formatFor(const QByteArray &type) const
{
    if (type == "application/json" || type.isEmpty() || type == "application/x-www-form-urlencoded")
        return BodyFormat::Json;
    if (type == "application/x-protobuf" || type == "application/protobuf")
        return BodyFormat::Protobuf;
    return std::nullopt;
}

HttpResponse LokiDialect::unsupportedType(const QByteArray &type) const
{
    return apiError(415,
                    QStringLiteral("Content-Type '%1' is not supported; send a Loki push: JSON (application/json) or "
                                   "snappy-compressed protobuf (application/x-protobuf)")
                        .arg(QString::fromLatin1(type)),
                    QJsonObject{{QStringLiteral("field"), QStringLiteral("Content-Type")},
                                {QStringLiteral("supported"), QStringLiteral("application/json, application/x-protobuf")}});
}

HttpResponse LokiDialect::malformed(const std::string &message) const
{
    return apiError(400, QString::fromStdString(message), QJsonObject{{QStringLiteral("field"), QStringLiteral("body")}});
}

HttpResponse LokiDialect::committed(int accepted, int, const ItemErrors &errors) const
{
    if (errors.total() > 0)
        return rejected(accepted, errors);
    HttpResponse r;
    r.status = 204;
    return r;
}

HttpResponse LokiDialect::allRejected(const ItemErrors &errors) const { return rejected(0, errors); }

} // namespace fg
