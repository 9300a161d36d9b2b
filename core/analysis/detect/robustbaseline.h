#pragma once

#include <vector>

namespace fg {

// Median and MAD of the last `window` accepted points: a baseline that a few outliers do not move.
// Points judged anomalous can be kept out (update(x, false)) so a degradation does not become the
// new normal while it lasts. Only the window itself is kept (no sorted copy beside it): median and MAD are
// selected from it when asked. Its points are floats: a baseline needs no more than seven digits, and
// with three windows for each KPI of each service and route they were most of a detector's memory.
class RobustBaseline final {
public:
    explicit RobustBaseline(std::size_t window);

    void add(double x);
    std::size_t size() const { return m_values.size(); }
    double median() const;
    // 1.4826 × MAD (the standard deviation for normal data), floored at a small share of the median so
    // that flat series do not turn every wiggle into many sigmas.
    double scale() const;
    // Signed distance of x from the median in scales.
    double z(double x) const;
    std::size_t memoryBytes() const { return m_values.capacity() * sizeof(float); }

private:
    std::size_t m_window;
    std::size_t m_oldest = 0;      // ring position of the oldest value once the window is full
    std::vector<float> m_values;   // arrival order, a ring of `window` values (no deque: its blocks cost 4×)
};

} // namespace fg
