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
};

} // namespace fg
