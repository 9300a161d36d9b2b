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

std::uint64_t KpiWindow::failures() const { return merged.requests ? merged.requestErrors : merged.errorEvents; }

std::uint64_t KpiWindow::trials() const { return merged.requests ? merged.requests : merged.events; }

namespace {
constexpr double kZ = 1.6449; // one-sided 95 %

double wilson(double k, double n, double sign)
{
    if (n <= 0)
        return sign < 0 ? 0.0 : 1.0;
    const double p = k / n, z2 = kZ * kZ;
    const double centre = p + z2 / (2 * n);
    const double spread = kZ * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return std::clamp((centre + sign * spread) / (1 + z2 / n), 0.0, 1.0);
}
} // namespace

double KpiWindow::errorRateLowerBound() const { return wilson(double(failures()), double(trials()), -1); }

double KpiWindow::errorRateUpperBound() const { return wilson(double(failures()), double(trials()), +1); }

} // namespace fg
