#include "lokipushdecoder.h"

#include "decodebudget.h"
#include "fieldvalues.h"
#include "lokiprotobuf.h"
#include "otlpjson.h"

namespace fg {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr std::size_t kMaxServiceName = 256;

// What one stream's labels say, shared by its entries.
struct Stream {
    std::string service;
    Level level = Level::Unknown;
    std::string levelRaw;
    std::string labels; // the other labels as "key":"value" members
    std::string error;  // set: the stream's entries are rejected with this
};

Stream readStream(std::optional<element> labels)
{
    Stream s;
    if (!labels || labels->type() != element_type::OBJECT) {
        s.error = "stream must be an object of label names to string values";
        return s;
    }
    static const std::string_view serviceLabels[] = {"service_name", "service", "app", "job"};
    static const std::string_view levelLabels[] = {"level", "detected_level", "severity"};
    int servicePick = 4, levelPick = 3;
    for (auto [key, v] : jsonObject(*labels)) {
        if (v.type() != element_type::STRING) {
            s.error = "label " + std::string(key) + " must be a string";
            return s;
        }
        const std::string_view value = jsonString(v);
        bool used = false;
        for (int i = 0; i < 4; ++i)
            if (key == serviceLabels[i] && i < servicePick && !value.empty()) {
                servicePick = i;
                s.service.assign(value);
                used = true;
            }
        for (int i = 0; i < 3; ++i)
            if (key == levelLabels[i] && i < levelPick && !value.empty()) {
                levelPick = i;
                s.levelRaw.assign(value.substr(0, 64));
                used = true;
            }
        if (used)
            continue;
        if (!s.labels.empty())
            s.labels.push_back(',');
        appendJsonString(s.labels, key);
        s.labels.push_back(':');
        appendJsonString(s.labels, value);
    }
    if (s.service.empty())
        s.service = otlp::kUnknownService;
    if (s.service.size() > kMaxServiceName || !isDisplayableName(s.service))
        s.error = "the service label must be at most 256 bytes without control characters or bidirectional overrides";
    if (!s.levelRaw.empty()) {
        s.level = parseLevel(s.levelRaw).level;
        if (s.levelRaw == levelName(s.level))
            s.levelRaw.clear();
    }
    return s;
}

bool decodeEntry(element value, const Stream &stream, TimeNs receivedAt, LogRecord &r, ItemError &error)
{
    auto fail = [&](const char *field, std::string message) {
        error.field = field;
        error.message = std::move(message);
        return false;
    };
    simdjson::dom::array entry;
    if (value.get(entry) != simdjson::SUCCESS || entry.size() < 2 || entry.size() > 3)
        return fail("values", "each value must be [\"<unix ns>\", \"<line>\"] or [\"<unix ns>\", \"<line>\", {metadata}]");
    const auto ts = otlp::nanos(entry.at(0).value_unsafe());
    if (!ts || *ts == 0)
        return fail("values", "the timestamp must be nanoseconds since the epoch as a decimal string, before 2200");
    const element line = entry.at(1).value_unsafe();
    if (line.type() != element_type::STRING)
        return fail("values", "the log line must be a string");
    r.ts = *ts;
    r.received = receivedAt;
    r.service = stream.service;
    r.level = stream.level;
    r.levelRaw = stream.levelRaw;
    r.message.assign(jsonString(line));
    std::string members = stream.labels;
    if (entry.size() == 3) {
        const element meta = entry.at(2).value_unsafe();
        if (meta.type() != element_type::OBJECT)
            return fail("values", "structured metadata must be an object of string values");
        for (auto [key, v] : jsonObject(meta)) {
            if (v.type() != element_type::STRING)
                return fail("values", "structured metadata " + std::string(key) + " must be a string");
            if (key == "trace_id" || key == "traceID" || key == "traceId") {
                r.traceId.assign(jsonString(v));
                continue;
            }
            if (key == "span_id" || key == "spanID" || key == "spanId") {
                r.spanId.assign(jsonString(v));
                continue;
            }
            if (!members.empty())
                members.push_back(',');
            appendJsonString(members, key);
            members.push_back(':');
            appendJsonString(members, jsonString(v));
        }
    }
    if (!members.empty())
        r.attributes = "{" + members + "}";
    return true;
}

} // namespace

DecodeResult LokiPushDecoder::decode(std::string_view body, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                                     std::string_view)
{
    DecodeResult result;
    std::string converted; // a protobuf push as the JSON push format
    if (format == BodyFormat::Protobuf) {
        if (!loki::protobufAsJson(body, budget, result, converted))
            return result;
        body = std::string_view(converted.data(), converted.size() - kJsonPadding);
    }
    const ParserRelease release{m_parser};
    element root;
    if (const auto err = m_parser.parse(body.data(), body.size(), false).get(root)) {
        result.malformed = std::string("malformed JSON: ") + simdjson::error_message(err);
        return result;
    }
    std::optional<element> streams;
    if (root.type() != element_type::OBJECT || !otlp::arrayMember(jsonObject(root), "streams", {}, streams) || !streams) {
        result.malformed = "expected a Loki push body: {\"streams\":[{\"stream\":{labels},\"values\":[[\"<unix ns>\",\"<line>\"]]}]}";
        return result;
    }
    for (element s : jsonArray(*streams)) {
        std::optional<element> values;
        if (s.type() != element_type::OBJECT || !otlp::arrayMember(jsonObject(s), "values", {}, values)) {
            result.malformed = "each stream must be an object with a values array";
            result.batch = {};
            return result;
        }
        if (!values)
            continue;
        const Stream stream = readStream(otlp::member(jsonObject(s), "stream"));
        for (element value : jsonArray(*values)) {
            if (result.items == kMaxItemsPerRequest) {
                result.tooManyItems = true;
                return result;
            }
            const int index = result.items++;
            if (!stream.error.empty()) {
                result.errors.add({index, "stream", stream.error});
                continue;
            }
            LogRecord r;
            ItemError error;
            if (!decodeEntry(value, stream, receivedAt, r, error)) {
                error.index = index;
                result.errors.add(std::move(error));
                continue;
            }
            if (!result.keepLog(std::move(r), index, m_services, budget))
                return result;
        }
    }
    return result;
}

} // namespace fg
