#include "nativemetricdecoder.h"

#include <algorithm>
#include <map>

#include "decodebudget.h"
#include "fieldvalues.h"

namespace fg {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::optional<MetricType> parseType(std::string_view s)
{
    std::string lower(s);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (lower == "gauge")
        return MetricType::Gauge;
    if (lower == "counter")
        return MetricType::Counter;
    if (lower == "histogram")
        return MetricType::Histogram;
    if (lower == "timer")
        return MetricType::Timer;
    return std::nullopt;
}

// Tags become a canonical JSON object (keys sorted) so that equal tag sets name the same series.
// A top-level endpoint is one more tag.
bool canonicalTags(std::optional<element> tags, std::string_view endpoint, std::string &out)
{
    std::map<std::string_view, std::string> sorted;
    if (tags) {
        if (tags->type() != element_type::OBJECT)
            return false;
        for (auto [key, value] : jsonObject(*tags)) {
            if (value.type() == element_type::OBJECT || value.type() == element_type::ARRAY)
                return false;
            sorted[key] = minifiedJson(value);
        }
    }
    if (!endpoint.empty()) {
        std::string quoted;
        appendJsonString(quoted, endpoint);
        sorted["endpoint"] = std::move(quoted);
    }
    out.assign(1, '{');
    for (const auto &[k, val] : sorted) {
        if (out.size() > 1)
            out.push_back(',');
        appendJsonString(out, k);
        out.push_back(':');
        out += val;
    }
    out.push_back('}');
    return true;
}

bool isReserved(std::string_view key)
{
    return key == "service" || key == "service_name" || key == "attributes" || key == "ts" || key == "timestamp" || key == "tags" || key == "signal_id"
           || key == "type" || key == "endpoint" || key == "name" || key == "value";
}

bool decodeItem(simdjson::dom::object obj, TimeNs receivedAt, std::vector<MetricSample> &out, ItemError &error)
{
    auto fail = [&](const char *field, std::string message) {
        error.field = field;
        error.message = std::move(message);
        return false;
    };
    MetricSample base;
    base.ts = receivedAt;
    base.received = receivedAt;
    base.tags = "{}";
    bool haveService = false;
    std::optional<element> name, value, tags;
    std::string endpoint;
    for (auto [key, v] : obj) {
        if (v.type() == element_type::NULL_VALUE)
            continue;
        if (key == "service" || (key == "service_name" && !haveService)) { // service_name: the /ingest/metrics dialect
            const char *field = key == "service" ? "service" : "service_name";
            if (v.type() != element_type::STRING || jsonString(v).empty())
                return fail(field, "must be a non-empty string");
            if (jsonString(v).size() > 256)
                return fail(field, "is longer than 256 bytes");
            if (!isDisplayableName(jsonString(v)))
                return fail(field, "must not contain control characters or bidirectional overrides");
            base.service.assign(jsonString(v));
            haveService = true;
        } else if (key == "ts" || key == "timestamp") {
            const auto t = jsonTime(v);
            if (!t)
                return fail(key == "ts" ? "ts" : "timestamp",
                            "must be ISO 8601 (e.g. 2024-01-01T12:00:00Z) or epoch s/ms/us/ns between 1970 and 2200");
            base.ts = *t;
        } else if (key == "type") {
            std::optional<MetricType> t;
            if (v.type() == element_type::STRING)
                t = parseType(jsonString(v));
            if (!t)
                return fail("type", "must be one of gauge, counter, histogram, timer");
            base.type = *t;
        } else if (key == "signal_id") {
            auto s = jsonScalarText(v);
            if (!s || s->empty() || s->size() > 512)
                return fail("signal_id", "must be a non-empty string (at most 512 bytes)");
            base.signalId = std::move(*s);
        } else if (key == "endpoint") {
            if (v.type() != element_type::STRING)
                return fail("endpoint", "must be a string");
            endpoint.assign(jsonString(v));
        } else if (key == "name") {
            name = v;
        } else if (key == "value") {
            value = v;
        } else if (key == "tags" || (key == "attributes" && !tags)) {
            tags = v;
        }
    }
    if (!haveService)
        return fail("service", "is required");
    if (!canonicalTags(tags, endpoint, base.tags))
        return fail("tags", "must be an object of string or number values");
    if (name || value) {
        if (!name || name->type() != element_type::STRING || jsonString(*name).empty())
            return fail("name", "must be a non-empty string when value is given");
        if (!value)
            return fail("value", "is required with name");
        const auto d = jsonNumber(*value);
        if (!d)
            return fail("value", "must be a finite number");
        base.name.assign(jsonString(*name));
        base.value = *d;
        out.push_back(std::move(base));
        return true;
    }
    // KPI snapshot: each numeric field is a sample named after it.
    const std::size_t before = out.size();
    for (auto [key, v] : obj) {
        if (isReserved(key))
            continue;
        const auto t = v.type();
        if (t != element_type::INT64 && t != element_type::UINT64 && t != element_type::DOUBLE)
            continue;
        MetricSample s = base;
        s.name.assign(key);
        s.value = *jsonNumber(v);
        s.startsItem = out.size() == before;
        if (!s.signalId.empty())
            s.signalId += ":" + s.name;
        out.push_back(std::move(s));
    }
    if (out.size() == before)
        return fail("value", "no sample: give name and value, or numeric KPI fields such as tps or error_rate");
    return true;
}

} // namespace

DecodeResult NativeMetricDecoder::decode(std::string_view body, BodyFormat format, TimeNs receivedAt,
                                                 DecodeBudget *budget, std::string_view)
{
    DecodeResult result;
    auto onItem = [&](int index, element item) {
        if (!item.is_object()) {
            result.errors.add({index, "", "expected a JSON object"});
            return true;
        }
        ItemError error;
        const std::size_t before = result.batch.metrics.size();
        if (!decodeItem(jsonObject(item), receivedAt, result.batch.metrics, error)) {
            result.batch.metrics.resize(before);
            error.index = index;
            result.errors.add(std::move(error));
            return true;
        }
        if (m_services && result.batch.metrics.size() > before && !m_services->admit(result.batch.metrics[before].service)) {
            result.batch.metrics.resize(before);
            result.errors.add({index, "service", serviceLimitMessage(m_services->max())});
            return true;
        }
        std::string refused;
        if (m_series && result.batch.metrics.size() > before
            && !m_series->admit(result.batch.metrics.data() + before,
                                result.batch.metrics.data() + result.batch.metrics.size(), &refused)) {
            result.batch.metrics.resize(before);
            result.errors.add({index, "name", std::move(refused)});
            return true;
        }
        std::int64_t bytes = 0;
        for (std::size_t i = before; i < result.batch.metrics.size(); ++i)
            bytes += std::int64_t(approxBytes(result.batch.metrics[i]));
        if (budget && !budget->charge(bytes)) {
            result.overBudget = true;
            return false;
        }
        ++result.accepted;
        return true;
    };
    m_items.forEach(body, format, onItem, result.errors, &result.malformed, &result.items, &result.tooManyItems);
    return result;
}

} // namespace fg
