#pragma once

#include <string>
#include <string_view>

namespace fg {

class DecodeBudget;
struct DecodeResult;

namespace loki {

// Loki's protobuf push (a snappy-compressed logproto.PushRequest, Promtail's and Alloy's default), read
// through the JSON push decoder: the body is uncompressed (its size charged to the budget first), parsed
// with ingest/lokiproto/push.proto and written as the JSON push format, each stream's label string
// ({name="value", ...}) as its label object and structured metadata as the entry's third element.
// Returns false with result.malformed (or result.overBudget) set when the body is not such a request;
// otherwise `json` holds the text followed by kJsonPadding bytes.
bool protobufAsJson(std::string_view body, DecodeBudget *budget, DecodeResult &result, std::string &json);

// A Prometheus-style label set, {name="value", ...}, as JSON object members ("name":"value",...).
// False when it is not one.
bool labelsAsJsonMembers(std::string_view labels, std::string &members);

} // namespace loki
} // namespace fg
