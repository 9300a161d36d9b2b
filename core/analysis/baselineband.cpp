#include "baselineband.h"

#include <algorithm>
#include <cmath>

#include "detect/robustbaseline.h"

namespace fg {

std::vector<std::optional<BaselineBand>> trailingBaselineBands(const std::vector<double> &values, std::size_t window,
                                                                std::size_t minHistory)
{
    std::vector<std::optional<BaselineBand>> bands;
    bands.reserve(values.size());
    RobustBaseline baseline(window);
    for (const double v : values) {
        if (baseline.size() >= minHistory) {
            const double m = baseline.median(), s = baseline.scale();
            bands.push_back(BaselineBand{std::max(0.0, m - 3 * s), m, m + 3 * s});
        } else {
            bands.emplace_back();
        }
        baseline.add(v); // NaN is ignored
    }
    return bands;
}

} // namespace fg
