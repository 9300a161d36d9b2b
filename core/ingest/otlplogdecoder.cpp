#include "otlplogdecoder.h"

#include "decodebudget.h"
#include "otlpprotobuf.h"
#include "fieldvalues.h"

namespace fg {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using namespace otlp;

std::optional<Level> severity(object rec, std::string &levelRaw)
{
    const auto text = member(rec, "severityText", "severity_text");
    if (text && text->type() == element_type::STRING)
        levelRaw.assign(jsonString(*text).substr(0, 64));
    const auto number = member(rec, "severityNumber", "severity_number");
    if (number && number->type() != element_type::NULL_VALUE) {
        // Enums are integers in OTLP JSON; the protobuf mapping also allows the name.
        if (number->type() == element_type::STRING && jsonString(*number).rfind("SEVERITY_NUMBER_", 0) == 0)
            return parseLevel(jsonString(*number).substr(16)).level;
        const auto n = integer(*number);
        if (!n || *n < 0 || *n > 24)
            return std::nullopt;
        if (*n > 0)
            return levelFromOtelSeverity(*n);
    }
    return levelRaw.empty() ? Level::Unknown : parseLevel(levelRaw).level;
}

bool decodeRecord(object rec, const Resource &resource, TimeNs receivedAt, LogRecord &r, ItemError &error)
{
    auto fail = [&](const char *field, const char *message) {
        error.field = field;
        error.message = message;
        return false;
    };
    r.service = resource.service;
    r.received = receivedAt;
    const auto time = nanos(member(rec, "timeUnixNano", "time_unix_nano"));
    if (!time)
        return fail("timeUnixNano", "must be nanoseconds since the epoch (decimal string or number) before 2200");
    const auto observed = nanos(member(rec, "observedTimeUnixNano", "observed_time_unix_nano"));
    if (!observed)
        return fail("observedTimeUnixNano", "must be nanoseconds since the epoch (decimal string or number) before 2200");
    r.ts = *time ? *time : *observed ? *observed : receivedAt;
    const auto level = severity(rec, r.levelRaw);
    if (!level)
        return fail("severityNumber", "must be an OpenTelemetry SeverityNumber from 0 to 24");
    r.level = *level;
    if (r.levelRaw == levelName(r.level))
        r.levelRaw.clear();
    if (const auto body = member(rec, "body"); body && body->type() != element_type::NULL_VALUE) {
        const auto text = body->type() == element_type::OBJECT ? member(jsonObject(*body), "stringValue", "string_value")
                                                                : std::nullopt;
        if (text && text->type() == element_type::STRING)
            r.message.assign(jsonString(*text));
        else if (!appendAnyValue(r.message, *body))
            return fail("body", "must be an OTLP AnyValue");
    }
    const auto traceId = hexId(member(rec, "traceId", "trace_id"), 16);
    if (!traceId)
        return fail("traceId", "must be 32 hex digits");
    r.traceId = *traceId;
    const auto spanId = hexId(member(rec, "spanId", "span_id"), 8);
    if (!spanId)
        return fail("spanId", "must be 16 hex digits");
    r.spanId = *spanId;
    const auto attrs = member(rec, "attributes");
    std::string members;
    if (!appendAttributes(members, attrs))
        return fail("attributes", "must be a list of {key, value} with OTLP AnyValue values (nested at most 16 deep)");
    if (const auto name = member(rec, "eventName", "event_name"); name && name->type() == element_type::STRING
                                                                    && !jsonString(*name).empty()) {
        members += members.empty() ? "\"event.name\":" : ",\"event.name\":";
        appendJsonString(members, jsonString(*name));
    }
    r.attributes = closeAttributes(std::move(members), resource);
    // The semantic-convention HTTP attributes are the request fields KPIs read.
    std::string_view route = stringAttribute(attrs, "http.route");
    r.endpoint.assign(route.empty() ? stringAttribute(attrs, "url.path") : route);
    r.method.assign(stringAttribute(attrs, "http.request.method"));
    if (const auto status = intAttribute(attrs, "http.response.status_code"); status && *status >= 100 && *status <= 599)
        r.statusCode = int(*status);
    return true;
}

} // namespace

DecodeResult OtlpLogDecoder::decode(std::string_view body, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                                    std::string_view)
{
    DecodeResult result;
    std::string converted; // a protobuf body as OTLP JSON
    if (format == BodyFormat::Protobuf) {
        if (!otlp::protobufAsJson(otlp::Signal::Logs, body, budget, result, converted))
            return result;
        body = std::string_view(converted.data(), converted.size() - kJsonPadding);
    }
    m_walker.walkRecords(
        body, kLogsShape, "a log record must be a JSON object",
        [&](object o, const Resource &resource, LogRecord &r, ItemError &error) {
            return decodeRecord(o, resource, receivedAt, r, error);
        },
        result, m_services, budget);
    return result;
}

} // namespace fg
