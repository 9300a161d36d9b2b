#include "otlpmetricdecoder.h"

#include <cmath>
#include <map>

#include "decodebudget.h"
#include "fieldvalues.h"
#include "jsonitems.h"
#include "otlpprotobuf.h"

namespace fg {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using namespace otlp;

constexpr std::size_t kMaxRememberedSeries = 200'000;
constexpr std::size_t kMaxBuckets = 4096;
constexpr std::size_t kMaxNameBytes = 256;

enum class Kind { Gauge, DeltaSum, CumulativeSum, UpDown, Histogram };

// One decoded data point, turned into samples once the whole body is known to be valid (so a malformed
// body leaves no trace in the cumulative state).
struct Point {
    int index = 0;
    Kind kind = Kind::Gauge;
    bool cumulative = false;
    std::string service;
    std::string name;
    std::string tags;
    TimeNs start = 0;
    TimeNs time = 0;
    std::vector<double> values; // number: {value}; histogram: {count, sum, bucket counts…}
    std::vector<double> bounds;
    bool hasSum = false;
    double min = NAN, max = NAN;
};

// Attributes as canonical tags: keys sorted, scalar values as JSON, nested ones as their JSON text.
bool canonicalTags(std::optional<element> attrs, std::string &out)
{
    out = "{}";
    if (!attrs || attrs->type() == element_type::NULL_VALUE)
        return true;
    if (attrs->type() != element_type::ARRAY)
        return false;
    std::map<std::string_view, std::string> sorted;
    for (element kv : jsonArray(*attrs)) {
        if (kv.type() != element_type::OBJECT)
            return false;
        const auto k = member(jsonObject(kv), "key");
        if (!k || k->type() != element_type::STRING)
            return false;
        std::string value;
        const auto v = member(jsonObject(kv), "value");
        if (v && !appendAnyValue(value, *v, 1))
            return false;
        if (!v)
            value = "null";
        if (value.front() == '{' || value.front() == '[') {
            std::string quoted;
            appendJsonString(quoted, value);
            value = std::move(quoted);
        }
        sorted[jsonString(*k)] = std::move(value);
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

std::optional<std::int64_t> temporality(object data)
{
    const auto t = member(data, "aggregationTemporality", "aggregation_temporality");
    if (!t || t->type() == element_type::NULL_VALUE)
        return 0;
    if (t->type() == element_type::STRING) {
        if (jsonString(*t) == "AGGREGATION_TEMPORALITY_DELTA")
            return 1;
        if (jsonString(*t) == "AGGREGATION_TEMPORALITY_CUMULATIVE")
            return 2;
    }
    const auto n = integer(*t);
    if (!n || *n < 0 || *n > 2)
        return std::nullopt;
    return n;
}

// Fills a point from one data point object; false with the error filled in.
bool decodePoint(object dp, bool histogram, TimeNs receivedAt, Point &p, ItemError &error)
{
    auto fail = [&](const char *field, const char *message) {
        error.field = field;
        error.message = message;
        return false;
    };
    const auto time = nanos(member(dp, "timeUnixNano", "time_unix_nano"));
    if (!time)
        return fail("timeUnixNano", "must be nanoseconds since the epoch (decimal string or number) before 2200");
    p.time = *time ? *time : receivedAt;
    const auto start = nanos(member(dp, "startTimeUnixNano", "start_time_unix_nano"));
    if (!start)
        return fail("startTimeUnixNano", "must be nanoseconds since the epoch (decimal string or number) before 2200");
    p.start = *start;
    if (!canonicalTags(member(dp, "attributes"), p.tags))
        return fail("attributes", "must be a list of {key, value} with OTLP AnyValue values (nested at most 16 deep)");
    if (!histogram) {
        std::optional<double> v;
        if (const auto d = member(dp, "asDouble", "as_double"))
            v = real(*d);
        else if (const auto i = member(dp, "asInt", "as_int"))
            v = integer(*i);
        else
            return fail("asDouble", "a number data point needs asDouble or asInt");
        if (!v || !std::isfinite(*v))
            return fail("asDouble", "must be a finite number (asInt: an integer, as number or decimal string)");
        p.values = {*v};
        return true;
    }
    const auto count = member(dp, "count");
    const auto n = count ? integer(*count) : std::optional<std::int64_t>(0);
    if (!n || *n < 0)
        return fail("count", "must be a non-negative integer (number or decimal string)");
    double sum = 0;
    if (const auto s = member(dp, "sum"); s && s->type() != element_type::NULL_VALUE) {
        const auto d = real(*s);
        if (!d || !std::isfinite(*d))
            return fail("sum", "must be a finite number");
        sum = *d;
        p.hasSum = true;
    }
    p.values = {double(*n), sum};
    std::optional<element> buckets, bounds;
    if (!arrayMember(dp, "bucketCounts", "bucket_counts", buckets))
        return fail("bucketCounts", "must be an array of counts");
    if (!arrayMember(dp, "explicitBounds", "explicit_bounds", bounds))
        return fail("explicitBounds", "must be an array of numbers");
    if (buckets) {
        const auto arr = jsonArray(*buckets);
        if (arr.size() > kMaxBuckets)
            return fail("bucketCounts", "has more than 4096 buckets");
        double total = 0;
        for (element c : arr) {
            const auto v = integer(c);
            if (!v || *v < 0)
                return fail("bucketCounts", "must hold non-negative integers (numbers or decimal strings)");
            p.values.push_back(double(*v));
            total += double(*v);
        }
        if (arr.size() != 0 && total != double(*n))
            return fail("bucketCounts", "must add up to count");
    }
    if (bounds) {
        double last = -INFINITY;
        for (element b : jsonArray(*bounds)) {
            const auto v = real(b);
            if (!v || !std::isfinite(*v) || *v <= last)
                return fail("explicitBounds", "must be finite numbers in increasing order");
            last = *v;
            p.bounds.push_back(*v);
        }
    }
    const std::size_t bucketCount = p.values.size() - 2;
    if (bucketCount != 0 && bucketCount != p.bounds.size() + 1)
        return fail("bucketCounts", "must have one more entry than explicitBounds");
    if (const auto m = member(dp, "min"); m && m->type() != element_type::NULL_VALUE)
        p.min = real(*m).value_or(NAN);
    if (const auto m = member(dp, "max"); m && m->type() != element_type::NULL_VALUE)
        p.max = real(*m).value_or(NAN);
    return true;
}

MetricSample sample(const Point &p, std::string name, MetricType type, double value, TimeNs receivedAt)
{
    MetricSample s;
    s.ts = p.time;
    s.received = receivedAt;
    s.service = p.service;
    s.name = std::move(name);
    s.type = type;
    s.value = value;
    s.tags = p.tags;
    return s;
}

} // namespace

OtlpMetricDecoder::OtlpMetricDecoder(ServiceRegistry *services, SeriesRegistry *series, TimeNs startedAt)
    : m_services(services), m_series(series), m_cumulative(startedAt, kMaxRememberedSeries)
{
}

double OtlpMetricDecoder::p95(const std::vector<double> &counts, const std::vector<double> &bounds, double min, double max)
{
    double total = 0;
    for (double c : counts)
        total += c;
    if (total <= 0 || counts.size() != bounds.size() + 1)
        return NAN;
    const double rank = 0.95 * total;
    double below = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (below + counts[i] < rank || counts[i] == 0) {
            below += counts[i];
            continue;
        }
        // Bucket i holds (bounds[i-1], bounds[i]]; the first starts at 0 (or min), the last ends at max
        // (or its lower bound: the +Inf bucket has no width to interpolate in).
        double lower = i == 0 ? (std::isfinite(min) ? min : std::min(0.0, bounds.empty() ? 0.0 : bounds[0]))
                              : bounds[i - 1];
        double upper = i < bounds.size() ? bounds[i] : (std::isfinite(max) ? max : lower);
        if (std::isfinite(min))
            lower = std::max(lower, min);
        if (std::isfinite(max))
            upper = std::min(upper, max);
        if (upper < lower)
            upper = lower;
        return lower + (upper - lower) * (rank - below) / counts[i];
    }
    return bounds.empty() ? (std::isfinite(max) ? max : NAN) : bounds.back();
}

DecodeResult OtlpMetricDecoder::decode(std::string_view body, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                                       std::string_view)
{
    DecodeResult result;
    std::string converted; // a protobuf body as OTLP JSON
    if (format == BodyFormat::Protobuf) {
        if (!otlp::protobufAsJson(otlp::Signal::Metrics, body, budget, result, converted))
            return result;
        body = std::string_view(converted.data(), converted.size() - kJsonPadding);
    }
    std::vector<Point> points;
    auto reject = [&](int index, const char *field, std::string message) {
        result.errors.add({index, field, std::move(message)});
    };
    // A metric refused as a whole counts as one item.
    auto rejectMetric = [&](const char *field, std::string message) {
        if (result.items == kMaxItemsPerRequest) {
            result.tooManyItems = true;
            return false;
        }
        reject(result.items++, field, std::move(message));
        return true;
    };
    auto onMetric = [&](const Resource &resource, element metric) {
        if (metric.type() != element_type::OBJECT)
            return rejectMetric("", "a metric must be a JSON object");
        const object m = jsonObject(metric);
        const auto nameValue = member(m, "name");
        const std::string_view name = nameValue && nameValue->type() == element_type::STRING ? jsonString(*nameValue)
                                                                                            : std::string_view();
        struct Data {
            std::string_view key;
            Kind kind;
        };
        static const Data kinds[] = {{"gauge", Kind::Gauge}, {"sum", Kind::DeltaSum}, {"histogram", Kind::Histogram}};
        std::optional<element> data;
        Kind kind = Kind::Gauge;
        for (const Data &d : kinds)
            if ((data = member(m, d.key)) && data->type() == element_type::OBJECT) {
                kind = d.kind;
                break;
            }
        std::string unsupported;
        if (!data || data->type() != element_type::OBJECT) {
            data.reset();
            for (const char *k : {"exponentialHistogram", "summary"})
                if (const auto d = member(m, k, k[0] == 'e' ? "exponential_histogram" : ""); d && d->type() == element_type::OBJECT) {
                    data = d;
                    unsupported = std::string(k) + " data points are not supported yet (gauge, sum and histogram are)";
                }
        }
        if (!data)
            return rejectMetric("", "a metric needs gauge, sum or histogram data");
        std::optional<element> dataPoints;
        if (!arrayMember(jsonObject(*data), "dataPoints", "data_points", dataPoints))
            return rejectMetric("dataPoints", "must be an array");
        bool cumulative = false;
        if (unsupported.empty() && kind != Kind::Gauge) {
            const auto t = temporality(jsonObject(*data));
            if (!t)
                unsupported = "aggregationTemporality must be 1 (DELTA) or 2 (CUMULATIVE)";
            // Unspecified is taken as cumulative, the SDKs' default.
            cumulative = t && *t != 1;
            if (kind == Kind::DeltaSum && cumulative) {
                const auto mono = member(jsonObject(*data), "isMonotonic", "is_monotonic");
                kind = mono && mono->is_bool() && mono->get_bool().value_unsafe() ? Kind::CumulativeSum : Kind::UpDown;
            }
        }
        if (!dataPoints)
            return true;
        for (element dp : jsonArray(*dataPoints)) {
            if (result.items == kMaxItemsPerRequest) {
                result.tooManyItems = true;
                return false;
            }
            const int index = result.items++;
            if (!resource.error.empty()) {
                reject(index, "resource", resource.error);
                continue;
            }
            if (name.empty() || name.size() > kMaxNameBytes || !isDisplayableName(name)) {
                reject(index, "name", "metric name must be a non-empty string of at most 256 bytes");
                continue;
            }
            if (!unsupported.empty()) {
                reject(index, "", unsupported);
                continue;
            }
            if (dp.type() != element_type::OBJECT) {
                reject(index, "", "a data point must be a JSON object");
                continue;
            }
            Point p;
            ItemError error;
            if (!decodePoint(jsonObject(dp), kind == Kind::Histogram, receivedAt, p, error)) {
                error.index = index;
                result.errors.add(std::move(error));
                continue;
            }
            p.index = index;
            p.kind = kind;
            p.cumulative = cumulative && (kind == Kind::CumulativeSum || kind == Kind::Histogram);
            p.service = resource.service;
            p.name.assign(name);
            if (budget && !budget->charge(std::int64_t(3 * (sizeof(MetricSample) + p.name.size() + p.tags.size())))) {
                result.overBudget = true;
                return false;
            }
            points.push_back(std::move(p));
        }
        return true;
    };
    if (!m_walker.walk(body, kMetricsShape, onMetric, &result.malformed) || result.tooManyItems || result.overBudget)
        return result;

    std::vector<MetricSample> &out = result.batch.metrics;
    for (Point &p : points) {
        std::string seriesKey;
        if (p.cumulative) {
            seriesKey = p.service + '\x1f' + p.name + '\x1f' + p.tags;
            if (!m_cumulative.toDelta(seriesKey, p.start, p.time, p.values)) {
                ++result.accepted; // already counted when it was first exported
                continue;
            }
        }
        const std::size_t before = out.size();
        switch (p.kind) {
        case Kind::Gauge:
        case Kind::UpDown: out.push_back(sample(p, p.name, MetricType::Gauge, p.values[0], receivedAt)); break;
        case Kind::DeltaSum:
        case Kind::CumulativeSum: out.push_back(sample(p, p.name, MetricType::Counter, p.values[0], receivedAt)); break;
        case Kind::Histogram: {
            out.push_back(sample(p, p.name + ".count", MetricType::Counter, p.values[0], receivedAt));
            if (p.hasSum)
                out.push_back(sample(p, p.name + ".sum", MetricType::Counter, p.values[1], receivedAt));
            const std::vector<double> counts(p.values.begin() + 2, p.values.end());
            const double q = p95(counts, p.bounds, p.min, p.max);
            if (std::isfinite(q))
                out.push_back(sample(p, p.name + ".p95", MetricType::Gauge, q, receivedAt));
            for (std::size_t i = before + 1; i < out.size(); ++i)
                out[i].startsItem = false;
            break;
        }
        }
        if (m_services && !m_services->admit(p.service)) {
            out.resize(before);
            result.errors.add({p.index, "service", serviceLimitMessage(m_services->max())});
            continue;
        }
        std::string refused;
        if (m_series && !m_series->admit(out.data() + before, out.data() + out.size(), &refused)) {
            out.resize(before);
            result.errors.add({p.index, "name", std::move(refused)});
            continue;
        }
        ++result.accepted;
    }
    return result;
}

} // namespace fg
