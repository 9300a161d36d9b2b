#include "records.h"

namespace fg {

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
