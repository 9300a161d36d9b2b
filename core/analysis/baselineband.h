#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace fg {

// The learned "normal" range of a KPI at one step: median ± 3 robust sigmas of the steps before it.
struct BaselineBand {
    double low = 0;
    double median = 0;
    double high = 0;
};

// For each value of a KPI series (oldest first, NaN = no value), the band of the `window` finite values
// before it, from the same robust baseline (median and MAD) the degradation detector uses; empty until
// `minHistory` values are behind it. The band never goes below 0 (latency, rates and throughput cannot).
// Pure; any thread.
std::vector<std::optional<BaselineBand>> trailingBaselineBands(const std::vector<double> &values, std::size_t window,
                                                                std::size_t minHistory = 10);

} // namespace fg
