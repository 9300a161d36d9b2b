#include "kpiwindow.h"

#include <algorithm>
#include <cmath>

namespace fg {

double KpiWindow::value(KpiField field) const
{
    switch (field) {
    case KpiField::ErrorRate:
        return merged.errorRate();
    case KpiField::P50LatencyMs:
        return merged.latency.count() ? merged.latency.quantile(0.50) : NAN;
    case KpiField::P95LatencyMs:
        return merged.latency.count() ? merged.latency.quantile(0.95) : NAN;
    case KpiField::P99LatencyMs:
        return merged.latency.count() ? merged.latency.quantile(0.99) : NAN;
    case KpiField::Throughput:
        return double(merged.requests ? merged.requests : merged.events) / (60.0 * std::max(span, 1));
    case KpiField::Requests:
        return double(merged.requests);
    case KpiField::Events:
        return double(merged.events);
    case KpiField::Errors:
        return double(merged.requests ? merged.requestErrors : merged.errorEvents);
    case KpiField::ErrorEvents:
        return double(merged.errorEvents);
    }
    return NAN;
}

} // namespace fg
