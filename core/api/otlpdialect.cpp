#include "otlpdialect.h"

#include <QJsonObject>

#include "apierror.h"

namespace fg {

namespace {

constexpr std::size_t kListedInMessage = 10;

HttpResponse invalidArgument(const QString &message, const QString &field, int rejected = -1)
{
    HttpResponse r = apiError(400, message, QJsonObject{{QStringLiteral("field"), field}});
    // google.rpc.Status's code as OTLP answers it, next to FlowGuard's error fields.
    r.body.insert(1, "\"code\":3,");
    if (rejected >= 0)
        r.body.insert(1, "\"rejected\":" + QByteArray::number(rejected) + ",");
    return r;
}

} // namespace

OtlpDialect::OtlpDialect(otlp::Signal signal)
    : m_signal(signal),
      m_rejectedField(signal == otlp::Signal::Logs      ? "rejectedLogRecords"
                      : signal == otlp::Signal::Metrics ? "rejectedDataPoints"
                                                        : "rejectedSpans"),
      m_itemName(signal == otlp::Signal::Logs ? "log record" : signal == otlp::Signal::Metrics ? "data point" : "span")
{
}

std::optional<BodyFormat> OtlpDialect::formatFor(const QByteArray &type) const
{
    // Empty and form-urlencoded are what `curl -d` sends; the body decides.
    if (type == "application/json" || type.isEmpty() || type == "application/x-www-form-urlencoded")
        return BodyFormat::Json;
    if (type == "application/x-protobuf" || type == "application/protobuf")
        return BodyFormat::Protobuf;
    return std::nullopt;
}

HttpResponse OtlpDialect::inFormat(BodyFormat format, HttpResponse answer) const
{
    // OTLP/HTTP answers in the request's encoding: protobuf requests get Export*ServiceResponse or
    // google.rpc.Status.
    if (format != BodyFormat::Protobuf)
        return answer;
    answer.body = QByteArray::fromStdString(otlp::answerAsProtobuf(
        m_signal, answer.status, std::string_view(answer.body.constData(), std::size_t(answer.body.size()))));
    answer.contentType = "application/x-protobuf";
    return answer;
}

HttpResponse OtlpDialect::unsupportedType(const QByteArray &type) const
{
    return apiError(415,
                    QStringLiteral("Content-Type '%1' is not supported; OTLP/HTTP is application/json or "
                                   "application/x-protobuf")
                        .arg(QString::fromLatin1(type)),
                    QJsonObject{{QStringLiteral("field"), QStringLiteral("Content-Type")},
                                {QStringLiteral("supported"), QStringLiteral("application/json, application/x-protobuf")}});
}

HttpResponse OtlpDialect::malformed(const std::string &message) const
{
    return invalidArgument(QString::fromStdString(message), QStringLiteral("body"));
}

std::string OtlpDialect::describe(const ItemErrors &errors) const
{
    std::string m = std::to_string(errors.total()) + " " + m_itemName + (errors.total() == 1 ? "" : "s") + " rejected";
    for (std::size_t i = 0; i < errors.size() && i < kListedInMessage; ++i) {
        m += i ? "; " : ": ";
        m += "#" + std::to_string(errors[i].index);
        if (!errors[i].field.empty())
            m += " " + errors[i].field;
        m += ": " + errors[i].message;
    }
    if (std::size_t(errors.total()) > kListedInMessage)
        m += "; …";
    return m;
}

HttpResponse OtlpDialect::committed(int, int, const ItemErrors &errors) const
{
    if (errors.total() == 0)
        return rawJsonResponse(200, "{\"partialSuccess\":{}}");
    std::string body = "{\"partialSuccess\":{\"";
    body += m_rejectedField;
    body += "\":" + std::to_string(errors.total()) + ",\"errorMessage\":";
    appendJsonString(body, describe(errors));
    body += "}}";
    return rawJsonResponse(200, std::move(body));
}

HttpResponse OtlpDialect::allRejected(const ItemErrors &errors) const
{
    return invalidArgument(QString::fromStdString("all " + describe(errors)),
                           QString::fromStdString(errors.front().field.empty() ? "body" : errors.front().field),
                           errors.total());
}

} // namespace fg
