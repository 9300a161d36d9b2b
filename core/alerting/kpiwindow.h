#pragma once

#include <cstdint>

#include "analysis/kpirollup.h"

namespace fg {

// The KPIs a rule condition can name, over a window of closed minutes of one service or route.
enum class KpiField { ErrorRate, P50LatencyMs, P95LatencyMs, P99LatencyMs, Throughput, Requests, Events, Errors, ErrorEvents };

struct KpiWindow {
    KpiRollup merged; // the window's minutes merged
    int minutes = 0;  // minutes with data in the window
    int span = 1;     // the window's length in minutes (throughput divides by it)

    double value(KpiField field) const;
    // The error rate's evidence: failed and total requests (events at ERROR and all events without requests).
    std::uint64_t failures() const;
    std::uint64_t trials() const;
    // Wilson score bounds of the error rate at one-sided 95 % confidence: how low (high) the true rate can
    // plausibly be given so few requests. 0 (1) without requests.
    double errorRateLowerBound() const;
    double errorRateUpperBound() const;
};

} // namespace fg
