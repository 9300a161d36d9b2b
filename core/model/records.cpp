#include "records.h"

namespace fg {

namespace {
// Strings longer than the small-string buffer own a heap block.
std::size_t heap(const std::string &s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }
} // namespace

std::size_t approxBytes(const LogRecord &r)
{
    return sizeof(LogRecord) + heap(r.service) + heap(r.levelRaw) + heap(r.message) + heap(r.endpoint)
           + heap(r.method) + heap(r.traceId) + heap(r.spanId) + heap(r.signalId) + heap(r.attributes) + heap(r.tags);
}

std::size_t approxBytes(const MetricSample &m)
{
    return sizeof(MetricSample) + heap(m.service) + heap(m.name) + heap(m.tags) + heap(m.signalId);
}

const char *metricTypeName(MetricType type)
{
    switch (type) {
    case MetricType::Gauge: return "gauge";
    case MetricType::Counter: return "counter";
    case MetricType::Histogram: return "histogram";
    case MetricType::Timer: return "timer";
    }
    return "gauge";
}

} // namespace fg
