#pragma once

#include <QJsonObject>

#include <functional>
#include <memory>
#include <optional>

#include "ingest/httpresponder.h"

namespace fg {

class StoreWriter;
struct WriteJob;

// Settings, rule, silence and channel documents are small; a larger body is refused before parsing.
constexpr qsizetype kMaxDocumentBytes = 256 * 1024;

// The request body as a JSON object, or nullopt after answering 400 naming the field "body" (413 past
// kMaxDocumentBytes). With emptyIsObject an empty body counts as {} (for endpoints whose fields are all
// optional).
std::optional<QJsonObject> jsonObjectBody(const HttpRequest &request, const HttpResponder &responder,
                                          bool emptyIsObject = false);
// 400 "field: message" with the field named in the details; 422 naming the limit too when the document
// was refused for exceeding a bound (limit not empty).
HttpResponse fieldError(const QString &field, const QString &message, const QString &limit = {});
// Submits `job` and answers once it is durable: `ok` builds the answer (on the writer thread); a failed
// write answers 500 "not stored: …".
void storeThenAnswer(StoreWriter *writer, std::unique_ptr<WriteJob> job, const HttpResponder &responder,
                     std::function<HttpResponse()> ok);

} // namespace fg
