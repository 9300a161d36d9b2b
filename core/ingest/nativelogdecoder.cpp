#include "nativelogdecoder.h"

#include <cmath>

#include "decodebudget.h"
#include "fieldvalues.h"

namespace fg {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::size_t kMaxServiceName = 256;

bool isNull(element v) { return v.type() == element_type::NULL_VALUE; }

} // namespace

bool decodeLogObject(simdjson::dom::object obj, TimeNs receivedAt, std::string_view defaultService, LogRecord &r,
                     ItemError &error)
{
    auto fail = [&](const char *field, std::string message) {
        error.field = field;
        error.message = std::move(message);
        return false;
    };
    bool haveService = false, haveTs = false;
    std::string extras; // unknown fields, as "key":value pairs for the attributes object
    std::string_view attributesObject;
    std::string attributesText;
    r.received = receivedAt;
    for (auto [key, v] : obj) {
        if (key == "service" || (key == "service_name" && !haveService)) {
            const char *field = key == "service" ? "service" : "service_name";
            if (v.type() != element_type::STRING)
                return fail(field, "must be a non-empty string");
            std::string_view s = jsonString(v);
            if (s.empty())
                return fail(field, "must be a non-empty string");
            if (s.size() > kMaxServiceName)
                return fail(field, "is longer than 256 bytes");
            if (!isDisplayableName(s))
                return fail(field, "must not contain control characters or bidirectional overrides");
            r.service.assign(s);
            haveService = true;
        } else if (key == "ts" || key == "timestamp") {
            if (isNull(v))
                continue;
            const auto t = jsonTime(v);
            if (!t)
                return fail(key == "ts" ? "ts" : "timestamp",
                            "must be ISO 8601 (e.g. 2024-01-01T12:00:00Z) or epoch s/ms/us/ns between 1970 and 2200");
            r.ts = *t;
            haveTs = true;
        } else if (key == "level" || key == "severity") {
            if (isNull(v))
                continue;
            if (v.type() == element_type::STRING) {
                const std::string_view raw = jsonString(v);
                r.level = parseLevel(raw).level;
                if (raw != levelName(r.level))
                    r.levelRaw.assign(raw.substr(0, 64));
            } else if (const auto n = jsonInteger(v)) {
                r.level = levelFromOtelSeverity(*n);
                r.levelRaw = std::to_string(*n);
            } else {
                return fail("level", "must be a string such as ERROR or an OpenTelemetry severity number");
            }
        } else if (key == "message" || key == "msg") {
            if (isNull(v))
                continue;
            if (v.type() == element_type::STRING)
                r.message.assign(jsonString(v));
            else
                r.message = minifiedJson(v);
        } else if (key == "latency_ms") {
            if (isNull(v))
                continue;
            const auto d = jsonNumber(v);
            if (!d || *d < 0)
                return fail("latency_ms", "must be a non-negative number of milliseconds");
            r.latencyMs = *d;
        } else if (key == "status_code") {
            if (isNull(v))
                continue;
            const auto n = jsonInteger(v);
            if (!n || *n < 100 || *n > 599)
                return fail("status_code", "must be an HTTP status code between 100 and 599");
            r.statusCode = int(*n);
        } else if (key == "endpoint" || key == "path") {
            if (isNull(v))
                continue;
            if (v.type() != element_type::STRING)
                return fail(key == "path" ? "path" : "endpoint", "must be a string");
            if (key == "endpoint" || r.endpoint.empty())
                r.endpoint.assign(jsonString(v));
        } else if (key == "method" || key == "trace_id" || key == "span_id") {
            if (isNull(v))
                continue;
            if (v.type() != element_type::STRING)
                return fail(key == "method" ? "method" : key == "trace_id" ? "trace_id" : "span_id", "must be a string");
            std::string &dst = key == "method" ? r.method : key == "trace_id" ? r.traceId : r.spanId;
            dst.assign(jsonString(v));
        } else if (key == "signal_id") {
            if (isNull(v))
                continue;
            auto s = jsonScalarText(v);
            if (!s || s->empty() || s->size() > 512)
                return fail("signal_id", "must be a non-empty string (at most 512 bytes)");
            r.signalId = std::move(*s);
        } else if (key == "attributes") {
            if (isNull(v))
                continue;
            if (v.type() != element_type::OBJECT)
                return fail("attributes", "must be a JSON object");
            attributesText = minifiedJson(v);
            attributesObject = attributesText;
        } else {
            if (!extras.empty())
                extras.push_back(',');
            appendJsonString(extras, key);
            extras.push_back(':');
            extras += minifiedJson(v);
            // The common spellings of the HTTP status count for KPIs too (status_code wins); a "status" that
            // is no HTTP code ("ok", 3) is only an attribute.
            if ((key == "status" || key == "http_status") && r.statusCode == 0) {
                const auto n = jsonInteger(v);
                if (n && *n >= 100 && *n <= 599)
                    r.statusCode = int(*n);
            }
        }
    }
    if (!haveService) {
        if (defaultService.empty())
            return fail("service", "is required");
        if (defaultService.size() > kMaxServiceName || !isDisplayableName(defaultService))
            return fail("service", "the service parameter must be at most 256 bytes without control characters");
        r.service.assign(defaultService);
    }
    if (!haveTs)
        r.ts = receivedAt;
    if (extras.empty()) {
        r.attributes.assign(attributesObject == "{}" ? std::string_view() : attributesObject);
    } else if (attributesObject.size() <= 2) {
        r.attributes = "{" + extras + "}";
    } else {
        r.attributes.reserve(attributesObject.size() + extras.size() + 1);
        r.attributes.assign(attributesObject.substr(0, attributesObject.size() - 1));
        r.attributes += ',';
        r.attributes += extras;
        r.attributes += '}';
    }
    return true;
}

DecodeResult NativeLogDecoder::decode(std::string_view body, BodyFormat format, TimeNs receivedAt,
                                              DecodeBudget *budget, std::string_view queryService)
{
    DecodeResult result;
    auto onItem = [&](int index, element item) {
        return result.keepLogObject(
            item, index, "", "expected a JSON object",
            [&](simdjson::dom::object o, LogRecord &r, ItemError &error) { return decodeLogObject(o, receivedAt, queryService, r, error); },
            m_services, budget);
    };
    m_items.forEach(body, format, onItem, result.errors, &result.malformed, &result.items, &result.tooManyItems);
    return result;
}

} // namespace fg
