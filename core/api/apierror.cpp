#include "apierror.h"

#include <QJsonDocument>

namespace fg {

const char *errorKind(int status)
{
    switch (status) {
    case 400:
    case 411:
    case 422:
    case 431:
    case 505: return "ValidationError";
    case 413: return "PayloadTooLarge";
    case 415: return "UnsupportedMediaType";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 401: return "Unauthorized";
    case 429: return "TooManyRequests";
    case 503: return "Overloaded";
    case 403: return "Forbidden";
    case 408: return "RequestTimeout";
    case 507: return "InsufficientStorage";
    default: return "Internal";
    }
}

HttpResponse jsonResponse(int status, const QJsonObject &body)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse apiError(int status, const QString &message, const QJsonObject &details)
{
    HttpResponse r = jsonResponse(status, QJsonObject{{QStringLiteral("error"), QLatin1String(errorKind(status))},
                                                      {QStringLiteral("message"), message},
                                                      {QStringLiteral("details"), details}});
    if (status == 503 || status == 429)
        r.headers.emplace_back("Retry-After", "1");
    else if (status == 507)
        r.headers.emplace_back("Retry-After", "30");
    return r;
}

} // namespace fg
