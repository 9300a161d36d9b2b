#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "ingestdecoder.h"
#include "model/timestamp.h"

namespace fg::otlp {

// Helpers shared by the OTLP/HTTP JSON decoders (logs, metrics, traces): the protobuf JSON mapping as
// OTLP specifies it (lowerCamelCase keys, snake_case accepted; 64-bit integers as decimal strings or
// numbers; trace and span ids as hex) and the AnyValue/KeyValue attribute encoding.

using simdjson::dom::element;
using simdjson::dom::object;

// AnyValue nesting (kvlistValue/arrayValue) deeper than this is refused: a small body must not turn
// into unbounded recursion.
constexpr int kMaxAnyValueDepth = 16;
// OpenTelemetry's name for a resource without service.name.
constexpr std::string_view kUnknownService = "unknown_service";

// A member by its lowerCamelCase name or its snake_case spelling.
std::optional<element> member(object o, std::string_view camel, std::string_view snake = {});
// The array member, or nullopt when absent; false when present but not an array.
bool arrayMember(object o, std::string_view camel, std::string_view snake, std::optional<element> &out);

// fixed64 nanoseconds since the epoch, as a decimal string or a JSON number; 0 when absent or "0".
// nullopt: not an unsigned integer, or past 2200.
std::optional<TimeNs> nanos(std::optional<element> v);
// An int64/uint64 as string or number (counts, intValue).
std::optional<std::int64_t> integer(element v);
// A double as a number or a string ("1.5", "NaN", "Infinity" per the protobuf JSON mapping).
std::optional<double> real(element v);
// A trace id (16 bytes) or span id (8 bytes), given as hex or base64, as lower-case hex; "" when absent or
// empty. nullopt: neither of that length (an all-zero id counts as absent, as OTLP says it is invalid).
std::optional<std::string> hexId(std::optional<element> v, std::size_t bytes);

// Appends an AnyValue as plain JSON: strings, numbers, booleans, arrays, objects (kvlist), base64
// strings (bytes), null (empty). False when malformed or nested beyond kMaxAnyValueDepth.
bool appendAnyValue(std::string &out, element anyValue, int depth = 0);
// Appends a KeyValue list as `"key":value` members to out (members without braces; a comma goes
// between members). False when malformed.
bool appendAttributes(std::string &out, std::optional<element> keyValues);
// The AnyValue of one attribute, or nullopt.
std::optional<element> attribute(std::optional<element> keyValues, std::string_view key);
// A string attribute's text ("" when absent or not a string).
std::string_view stringAttribute(std::optional<element> keyValues, std::string_view key);
// An integer attribute (intValue as number or string, or a numeric stringValue).
std::optional<std::int64_t> intAttribute(std::optional<element> keyValues, std::string_view key);

// The resource of one resourceLogs/resourceMetrics/resourceSpans entry: its service and its other
// attributes as `"key":value` members.
struct Resource {
    std::string service;
    std::string attributes; // members without braces; "" when none
    std::string error;      // set: the resource is unusable (its items are rejected with this message)
};
Resource readResource(object resourceEntry);

// A record's attribute object from its members and its resource's (under "resource"); "" when both are empty.
std::string closeAttributes(std::string members, const Resource &resource);

} // namespace fg::otlp

namespace fg::otlp {

// Where one signal keeps its items: resourceLogs[].scopeLogs[].logRecords[] and so on.
struct SignalShape {
    std::string_view resource, resourceSnake;
    std::string_view scope, scopeSnake;
    std::string_view items, itemsSnake;
};
inline constexpr SignalShape kLogsShape{"resourceLogs", "resource_logs", "scopeLogs", "scope_logs", "logRecords", "log_records"};
inline constexpr SignalShape kMetricsShape{"resourceMetrics", "resource_metrics", "scopeMetrics", "scope_metrics", "metrics", {}};
inline constexpr SignalShape kSpansShape{"resourceSpans", "resource_spans", "scopeSpans", "scope_spans", "spans", {}};

// Parses an Export*ServiceRequest and calls onItem for each log record, metric or span with its
// resource, until onItem returns false. An empty object is an empty request. Returns false with
// *malformed set when the body is not OTLP JSON of this signal (HTTP 400); the parser's buffers are
// given back after a large body.
class RequestWalker final {
public:
    using ItemFn = std::function<bool(const Resource &resource, element item)>;
    bool walk(std::string_view paddedBody, const SignalShape &shape, const ItemFn &onItem, std::string *malformed);
    // Walks a signal whose items become log records (log records, spans) into `result`: each item
    // counted, the walk cut at kMaxItemsPerRequest, an item refused with its resource's error or when it
    // is not an object (`notAnObject`), else decoded and kept.
    using RecordFn = std::function<bool(object item, const Resource &resource, LogRecord &r, ItemError &error)>;
    void walkRecords(std::string_view paddedBody, const SignalShape &shape, const char *notAnObject,
                     const RecordFn &decode, DecodeResult &result, ServiceRegistry *services, DecodeBudget *budget);

private:
    simdjson::dom::parser m_parser;
};

} // namespace fg::otlp
