#pragma once

#include <QJsonObject>
#include <QString>

#include "ingest/httpmessage.h"

namespace fg {

// Every error body: {"error": kind, "message": …, "details": {…}} with kind derived from the status
// (ValidationError, PayloadTooLarge, UnsupportedMediaType, NotFound, MethodNotAllowed, Overloaded,
// Unauthorized, Forbidden, TooManyRequests, Internal).
HttpResponse apiError(int status, const QString &message, const QJsonObject &details = {});
HttpResponse jsonResponse(int status, const QJsonObject &body);
const char *errorKind(int status);

} // namespace fg
