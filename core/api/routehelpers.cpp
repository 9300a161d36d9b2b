#include "routehelpers.h"

#include <QJsonDocument>

#include "apierror.h"
#include "store/storewriter.h"

namespace fg {

std::optional<QJsonObject> jsonObjectBody(const HttpRequest &request, const HttpResponder &responder, bool emptyIsObject)
{
    if (request.body.size() > kMaxDocumentBytes) {
        responder.send(apiError(413, QStringLiteral("body: larger than %1 bytes (max_document_bytes)").arg(kMaxDocumentBytes),
                                QJsonObject{{QStringLiteral("field"), QStringLiteral("body")},
                                            {QStringLiteral("limit"), QStringLiteral("max_document_bytes")},
                                            {QStringLiteral("max"), kMaxDocumentBytes}}));
        return std::nullopt;
    }
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

HttpResponse fieldError(const QString &field, const QString &message, const QString &limit)
{
    QJsonObject details{{QStringLiteral("field"), field}};
    if (!limit.isEmpty())
        details.insert(QStringLiteral("limit"), limit);
    return apiError(limit.isEmpty() ? 400 : 422, QStringLiteral("%1: %2").arg(field, message), details);
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
