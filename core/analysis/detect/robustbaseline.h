#pragma once

#include <deque>
#include <vector>

namespace fg {

// Median and MAD of the last `window` accepted points: a baseline that a few outliers do not move.
// Points judged anomalous can be kept out (update(x, false)) so a degradation does not become the
// new normal while it lasts.
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

private:
    std::size_t m_window;
    std::deque<double> m_values;
    std::vector<double> m_sorted;
};

} // namespace fg
