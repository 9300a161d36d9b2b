#include "otlptracedecoder.h"

#include <cstdio>

#include "decodebudget.h"
#include "fieldvalues.h"
#include "jsonitems.h"
#include "otlpprotobuf.h"

namespace fg {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using namespace otlp;

const char *kindName(std::int64_t kind)
{
    static const char *const names[] = {"UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"};
    return kind >= 0 && kind <= 5 ? names[kind] : "UNSPECIFIED";
}

std::optional<std::int64_t> spanKind(std::optional<element> v)
{
    if (!v || v->type() == element_type::NULL_VALUE)
        return 0;
    if (v->type() == element_type::STRING) { // the protobuf JSON mapping also allows the enum name
        const std::string_view s = jsonString(*v);
        for (std::int64_t k = 0; k <= 5; ++k)
            if (s == std::string("SPAN_KIND_") + kindName(k))
                return k;
    }
    const auto k = integer(*v);
    if (!k || *k < 0 || *k > 5)
        return std::nullopt;
    return k;
}

bool decodeSpan(object span, const Resource &resource, TimeNs receivedAt, LogRecord &r, ItemError &error)
{
    auto fail = [&](const char *field, const char *message) {
        error.field = field;
        error.message = message;
        return false;
    };
    r.service = resource.service;
    r.received = receivedAt;
    const auto traceId = hexId(member(span, "traceId", "trace_id"), 16);
    if (!traceId || traceId->empty())
        return fail("traceId", "must be 32 hex digits, not all zero");
    const auto spanId = hexId(member(span, "spanId", "span_id"), 8);
    if (!spanId || spanId->empty())
        return fail("spanId", "must be 16 hex digits, not all zero");
    const auto parent = hexId(member(span, "parentSpanId", "parent_span_id"), 8);
    if (!parent)
        return fail("parentSpanId", "must be 16 hex digits");
    const auto start = nanos(member(span, "startTimeUnixNano", "start_time_unix_nano"));
    if (!start || *start == 0)
        return fail("startTimeUnixNano", "must be nanoseconds since the epoch (decimal string or number) before 2200");
    const auto end = nanos(member(span, "endTimeUnixNano", "end_time_unix_nano"));
    if (!end || *end < *start)
        return fail("endTimeUnixNano", "must be nanoseconds since the epoch, not before startTimeUnixNano");
    const auto kind = spanKind(member(span, "kind"));
    if (!kind)
        return fail("kind", "must be a SpanKind from 0 to 5");
    std::int64_t statusCode = 0;
    std::string_view statusMessage;
    if (const auto status = member(span, "status"); status && status->type() == element_type::OBJECT) {
        if (const auto code = member(jsonObject(*status), "code"); code && code->type() != element_type::NULL_VALUE) {
            const auto c = code->type() == element_type::STRING && jsonString(*code) == "STATUS_CODE_ERROR"
                               ? std::optional<std::int64_t>(2)
                               : integer(*code);
            if (!c || *c < 0 || *c > 2)
                return fail("status.code", "must be 0 (UNSET), 1 (OK) or 2 (ERROR)");
            statusCode = *c;
        }
        if (const auto m = member(jsonObject(*status), "message"); m && m->type() == element_type::STRING)
            statusMessage = jsonString(*m);
    }
    const auto name = member(span, "name");
    if (name && name->type() != element_type::STRING && name->type() != element_type::NULL_VALUE)
        return fail("name", "must be a string");
    r.message.assign(name && name->type() == element_type::STRING ? jsonString(*name) : std::string_view());

    const auto attrs = member(span, "attributes");
    std::string members;
    if (!appendAttributes(members, attrs))
        return fail("attributes", "must be a list of {key, value} with OTLP AnyValue values (nested at most 16 deep)");
    const double durationMs = double(*end - *start) / double(kNsPerMs);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s\"span.kind\":\"%s\",\"duration_ms\":%.3f", members.empty() ? "" : ",",
                  kindName(*kind), durationMs);
    members += buf;
    if (!parent->empty())
        members += ",\"parent_span_id\":\"" + *parent + "\"";
    if (!statusMessage.empty()) {
        members += ",\"status_message\":";
        appendJsonString(members, statusMessage);
    }
    r.attributes = closeAttributes(std::move(members), resource);

    r.ts = *start;
    r.traceId = *traceId;
    r.spanId = *spanId;
    r.tags = ",span,";
    const auto httpStatus = intAttribute(attrs, "http.response.status_code");
    const bool failed = statusCode == 2 || (httpStatus && *httpStatus >= 500);
    r.level = failed ? Level::Error : Level::Info;
    const bool isRequest = *kind == 2 || *kind == 5 || parent->empty();
    if (isRequest) {
        r.latencyMs = durationMs;
        std::string_view route = stringAttribute(attrs, "http.route");
        if (route.empty())
            route = stringAttribute(attrs, "url.path");
        r.endpoint.assign(route.empty() ? std::string_view(r.message) : route);
        r.method.assign(stringAttribute(attrs, "http.request.method"));
        if (httpStatus && *httpStatus >= 100 && *httpStatus <= 599)
            r.statusCode = int(*httpStatus);
        else if (statusCode == 2)
            r.statusCode = 500; // a failed request without an HTTP status is still a failed request
    }
    return true;
}

} // namespace

DecodeResult OtlpTraceDecoder::decode(std::string_view body, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                                      std::string_view)
{
    DecodeResult result;
    std::string converted; // a protobuf body as OTLP JSON
    if (format == BodyFormat::Protobuf) {
        if (!otlp::protobufAsJson(otlp::Signal::Traces, body, budget, result, converted))
            return result;
        body = std::string_view(converted.data(), converted.size() - kJsonPadding);
    }
    m_walker.walkRecords(
        body, kSpansShape, "a span must be a JSON object",
        [&](object o, const Resource &resource, LogRecord &r, ItemError &error) {
            return decodeSpan(o, resource, receivedAt, r, error);
        },
        result, m_services, budget);
    return result;
}

} // namespace fg
