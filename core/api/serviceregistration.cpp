#include "serviceregistration.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "apierror.h"
#include "ingest/fieldvalues.h"
#include "ingest/serviceregistry.h"
#include "routehelpers.h"
#include "store/storewriter.h"

namespace fg {

namespace {

constexpr qsizetype kMaxName = 256;
constexpr qsizetype kMaxDescription = 4096;
constexpr qsizetype kMaxTags = 64;
constexpr qsizetype kMaxTag = 128;

bool displayable(const QString &s, qsizetype max)
{
    const QByteArray utf8 = s.toUtf8();
    return !utf8.isEmpty() && utf8.size() <= max && isDisplayableName(std::string_view(utf8.constData(), std::size_t(utf8.size())));
}

} // namespace

void registerService(const HttpRequest &request, StoreWriter *writer, ServiceRegistry *services,
                     const HttpResponder &responder)
{
    std::optional<QJsonObject> body = jsonObjectBody(request, responder);
    if (!body)
        return;
    // service_name as the stream API spells it; name and service as other clients do.
    QString field = QStringLiteral("service_name");
    for (const char *alias : {"service_name", "name", "service"})
        if (body->contains(QLatin1String(alias))) {
            field = QLatin1String(alias);
            break;
        }
    const QJsonValue nameValue = body->take(field);
    const QString name = nameValue.toString();
    if (!nameValue.isString() || !displayable(name, kMaxName))
        return responder.send(fieldError(field, nameValue.isUndefined()
                                                    ? QStringLiteral("is required")
                                                    : QStringLiteral("must be a non-empty string of at most 256 bytes without control characters")));
    for (const char *key : {"description", "team", "owner"}) {
        const QJsonValue v = body->value(QLatin1String(key));
        if (v.isUndefined() || v.isNull())
            continue;
        const qsizetype max = std::string_view(key) == "description" ? kMaxDescription : kMaxName;
        if (!v.isString() || v.toString().toUtf8().size() > max)
            return responder.send(fieldError(QLatin1String(key), QStringLiteral("must be a string of at most %1 bytes").arg(max)));
    }
    if (const QJsonValue tags = body->value(QStringLiteral("tags")); !tags.isUndefined() && !tags.isNull()) {
        if (!tags.isArray() || tags.toArray().size() > kMaxTags)
            return responder.send(fieldError(QStringLiteral("tags"), QStringLiteral("must be an array of at most 64 strings")));
        for (const QJsonValue &t : tags.toArray())
            if (!t.isString() || !displayable(t.toString(), kMaxTag))
                return responder.send(fieldError(QStringLiteral("tags"),
                                                 QStringLiteral("each tag must be a string of 1 to 128 bytes without control characters")));
    }
    const std::string service = name.toStdString();
    if (!services->admit(service))
        return responder.send(fieldError(field, QString::fromStdString(serviceLimitMessage(services->max())),
                                         QStringLiteral("max_services")));
    auto job = std::make_unique<WriteJob>();
    job->serviceRegistrations.push_back({service, QJsonDocument(*body).toJson(QJsonDocument::Compact).toStdString()});
    QJsonObject data = *body;
    data.insert(QStringLiteral("service_name"), name);
    storeThenAnswer(writer, std::move(job), responder, [data] {
        return jsonResponse(200, QJsonObject{{QStringLiteral("success"), true},
                                             {QStringLiteral("message"), QStringLiteral("service registered")},
                                             {QStringLiteral("data"), data}});
    });
}

} // namespace fg
