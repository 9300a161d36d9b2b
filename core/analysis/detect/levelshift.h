#pragma once

#include <array>
#include <cstddef>

namespace fg {

// Level-shift detector: the median of the last three points against the baseline, in robust sigmas.
// A lone spike moves it by nothing, a new level by its full height from the second point on.
class LevelShift final {
public:
    // Signed distance of the recent median from the baseline, in scales (positive: above).
    double update(double value, double baseline, double scale);

private:
    std::array<double, 3> m_last{};
    std::size_t m_count = 0;
};

} // namespace fg
