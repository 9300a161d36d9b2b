#pragma once

#include <QJsonObject>

#include <functional>
#include <memory>
#include <optional>

#include "ingest/httpresponder.h"

namespace fg {

class StoreWriter;
struct WriteJob;

// The request body as a JSON object, or nullopt after answering 400 naming the field "body". With
// emptyIsObject an empty body counts as {} (for endpoints whose fields are all optional).
std::optional<QJsonObject> jsonObjectBody(const HttpRequest &request, const HttpResponder &responder,
                                          bool emptyIsObject = false);
// 400 "field: message" with the field named in the details.
HttpResponse fieldError(const QString &field, const QString &message);
// Submits `job` and answers once it is durable: `ok` builds the answer (on the writer thread); a failed
// write answers 500 "not stored: …".
void storeThenAnswer(StoreWriter *writer, std::unique_ptr<WriteJob> job, const HttpResponder &responder,
                     std::function<HttpResponse()> ok);

} // namespace fg
