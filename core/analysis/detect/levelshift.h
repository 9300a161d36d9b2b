#pragma once

#include <array>
#include <cstddef>

namespace fg {

// Level-shift detector: the median of the last three points' distances from the baseline, in robust
// sigmas. A lone spike moves it by nothing, a new level by its full height from the second point on.
class LevelShift final {
public:
    // z: this point's signed distance from the expected value in scales.
    double update(double z);
    void reset() { m_count = 0; }

private:
    std::array<double, 3> m_last{};
    std::size_t m_count = 0;
};

} // namespace fg
