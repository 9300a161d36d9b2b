#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace fg {

class DecodeBudget;
struct DecodeResult;

namespace otlp {

enum class Signal { Logs, Metrics, Traces };

// OTLP/HTTP protobuf, read through the JSON decoders: a request body parsed with the messages of
// ingest/otlpproto/otlp.proto and printed as OTLP JSON (the protobuf JSON mapping: lowerCamelCase names,
// 64-bit integers as strings, enums as numbers, ids as base64, which hexId reads). The JSON text is
// charged to the budget. Returns false with result.malformed (or result.overBudget) set when the body is
// not such a message; otherwise `json` holds the text followed by kJsonPadding bytes.
bool protobufAsJson(Signal signal, std::string_view body, DecodeBudget *budget, DecodeResult &result, std::string &json);

// The protobuf answer to an OTLP/HTTP protobuf request, from FlowGuard's JSON answer: the signal's
// Export*ServiceResponse for a 200 (its partialSuccess), google.rpc.Status for an error (its code, or one
// derived from the HTTP status, and message).
std::string answerAsProtobuf(Signal signal, int httpStatus, std::string_view jsonAnswer);

// What such an answer says, for the ingest inspector: the items a 200 refused and its error message, or an
// error's message. False when the body is not such an answer.
bool readProtobufAnswer(int httpStatus, std::string_view body, std::int64_t *rejected, std::string *message);

} // namespace otlp
} // namespace fg
