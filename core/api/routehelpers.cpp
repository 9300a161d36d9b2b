#include "routehelpers.h"

#include <QJsonDocument>

#include "apierror.h"
#include "store/storewriter.h"

namespace fg {

std::optional<QJsonObject> jsonObjectBody(const HttpRequest &request, const HttpResponder &responder, bool emptyIsObject)
{
    if (emptyIsObject && request.body.trimmed().isEmpty())
        return QJsonObject{};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
    if (error.error == QJsonParseError::NoError && doc.isObject())
        return doc.object();
    responder.send(apiError(400, QStringLiteral("body must be a JSON object"),
                            QJsonObject{{QStringLiteral("field"), QStringLiteral("body")}}));
    return std::nullopt;
}

HttpResponse fieldError(const QString &field, const QString &message)
{
    return apiError(400, QStringLiteral("%1: %2").arg(field, message), QJsonObject{{QStringLiteral("field"), field}});
}

void storeThenAnswer(StoreWriter *writer, std::unique_ptr<WriteJob> job, const HttpResponder &responder,
                     std::function<HttpResponse()> ok)
{
    job->done = [responder, ok = std::move(ok)](const WriteOutcome &outcome) {
        if (!outcome.ok)
            return responder.send(apiError(500, QStringLiteral("not stored: %1").arg(QString::fromStdString(outcome.error))));
        responder.send(ok());
    };
    writer->submit(std::move(job));
}

} // namespace fg
