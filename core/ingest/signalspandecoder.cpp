#include "signalspandecoder.h"

#include <cstdio>

#include "fieldvalues.h"

namespace fg {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr std::size_t kMaxServiceName = 256;

// Lower-case hex of exactly digits characters, not all zero.
std::optional<std::string> hexId(element v, std::size_t digits)
{
    if (v.type() != element_type::STRING || jsonString(v).size() != digits)
        return std::nullopt;
    std::string out(jsonString(v));
    bool nonZero = false;
    for (char &c : out) {
        if (c >= 'A' && c <= 'F')
            c = char(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return std::nullopt;
        nonZero = nonZero || c != '0';
    }
    return nonZero ? std::optional<std::string>(out) : std::nullopt;
}

bool decodeSpan(object span, TimeNs receivedAt, std::string_view defaultService, LogRecord &r, ItemError &error)
{
    auto fail = [&](const char *field, const char *message) {
        error.field = field;
        error.message = message;
        return false;
    };
    r.received = receivedAt;
    std::optional<TimeNs> start, end;
    std::string parent, kind, status, attributes;
    int httpStatus = 0;
    for (auto [key, v] : span) {
        if (v.type() == element_type::NULL_VALUE)
            continue;
        if (key == "service_name" || key == "service") {
            if (v.type() != element_type::STRING || jsonString(v).empty() || jsonString(v).size() > kMaxServiceName
                || !isDisplayableName(jsonString(v)))
                return fail(key == "service" ? "service" : "service_name",
                            "must be a non-empty string of at most 256 bytes without control characters");
            if (r.service.empty() || key == "service_name")
                r.service.assign(jsonString(v));
        } else if (key == "trace_id") {
            const auto id = hexId(v, 32);
            if (!id)
                return fail("trace_id", "must be 32 hex digits, not all zero");
            r.traceId = *id;
        } else if (key == "span_id") {
            const auto id = hexId(v, 16);
            if (!id)
                return fail("span_id", "must be 16 hex digits, not all zero");
            r.spanId = *id;
        } else if (key == "parent_span_id") {
            const auto id = hexId(v, 16);
            if (!id)
                return fail("parent_span_id", "must be 16 hex digits");
            parent = *id;
        } else if (key == "name") {
            if (v.type() != element_type::STRING)
                return fail("name", "must be a string");
            r.message.assign(jsonString(v));
        } else if (key == "start_time" || key == "end_time") {
            const auto t = jsonTime(v);
            if (!t)
                return fail(key == "start_time" ? "start_time" : "end_time",
                            "must be ISO 8601 or epoch s/ms/us/ns between 1970 and 2200");
            (key == "start_time" ? start : end) = t;
        } else if (key == "status" || key == "kind") {
            if (v.type() != element_type::STRING)
                return fail(key == "status" ? "status" : "kind", "must be a string");
            (key == "status" ? status : kind).assign(jsonString(v).substr(0, 32));
        } else if (key == "status_code") {
            const auto code = jsonInteger(v);
            if (!code || *code < 100 || *code > 599)
                return fail("status_code", "must be an HTTP status from 100 to 599");
            httpStatus = int(*code);
        } else if (key == "signal_id") {
            auto s = jsonScalarText(v);
            if (!s || s->empty() || s->size() > 512)
                return fail("signal_id", "must be a non-empty string (at most 512 bytes)");
            r.signalId = std::move(*s);
        } else if (key == "attributes") {
            if (v.type() != element_type::OBJECT)
                return fail("attributes", "must be an object");
            for (auto [k, a] : jsonObject(v)) {
                attributes.push_back(attributes.empty() ? '{' : ',');
                appendJsonString(attributes, k);
                attributes.push_back(':');
                attributes += minifiedJson(a);
            }
        }
    }
    if (r.service.empty()) {
        if (defaultService.empty())
            return fail("service_name", "is required (or ?service=NAME)");
        r.service.assign(defaultService);
    }
    if (r.traceId.empty())
        return fail("trace_id", "is required");
    if (r.spanId.empty())
        return fail("span_id", "is required");
    if (!start)
        return fail("start_time", "is required");
    if (!end || *end < *start)
        return fail("end_time", "is required and not before start_time");
    for (char &c : status)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    if (!status.empty() && status != "ok" && status != "error" && status != "unset")
        return fail("status", "must be ok, error or unset");
    const double durationMs = double(*end - *start) / double(kNsPerMs);
    char buf[64];
    std::snprintf(buf, sizeof buf, "\"duration_ms\":%.3f", durationMs);
    attributes += (attributes.empty() ? "{" : ",") + std::string(buf);
    if (!parent.empty())
        attributes += ",\"parent_span_id\":\"" + parent + "\"";
    if (!kind.empty()) {
        attributes += ",\"span.kind\":";
        appendJsonString(attributes, kind);
    }
    r.attributes = attributes + "}";
    r.ts = *start;
    r.tags = ",span,";
    const bool failed = status == "error" || httpStatus >= 500;
    r.level = failed ? Level::Error : Level::Info;
    std::string lowerKind = kind;
    for (char &c : lowerKind)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    if (parent.empty() || lowerKind == "server" || lowerKind == "consumer") {
        r.latencyMs = durationMs;
        r.endpoint = r.message;
        r.statusCode = httpStatus ? httpStatus : (failed ? 500 : 0);
    }
    return true;
}

} // namespace

DecodeResult SignalSpanDecoder::decode(std::string_view body, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                                       std::string_view queryService)
{
    DecodeResult result;
    auto onItem = [&](int index, element item) {
        return result.keepLogObject(
            item, index, "", "a span must be a JSON object",
            [&](object o, LogRecord &r, ItemError &error) { return decodeSpan(o, receivedAt, queryService, r, error); },
            m_services, budget);
    };
    m_items.forEach(body, format, onItem, result.errors, &result.malformed, &result.items, &result.tooManyItems);
    return result;
}

} // namespace fg
