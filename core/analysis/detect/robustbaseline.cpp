#include "robustbaseline.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace fg {

namespace {
// The median of `v` (reordered): the same value a sorted copy gives, found in linear time.
double medianInPlace(std::vector<double> &v)
{
    const std::size_t n = v.size();
    if (n == 0)
        return NAN;
    const auto mid = v.begin() + long(n / 2);
    std::nth_element(v.begin(), mid, v.end());
    if (n % 2)
        return *mid;
    return 0.5 * (*std::max_element(v.begin(), mid) + *mid);
}

// One per thread: median and MAD work on a copy of the window without allocating each time.
std::vector<double> &scratch()
{
    thread_local std::vector<double> buffer;
    return buffer;
}
} // namespace

RobustBaseline::RobustBaseline(std::size_t window) : m_window(std::max<std::size_t>(window, 1)) {}

void RobustBaseline::add(double x)
{
    if (!std::isfinite(x))
        return;
    const float f = float(std::clamp(x, double(-FLT_MAX), double(FLT_MAX)));
    if (m_values.size() < m_window) {
        if (m_values.empty())
            m_values.reserve(m_window);
        m_values.push_back(f);
    } else {
        m_values[m_oldest] = f;
        m_oldest = (m_oldest + 1) % m_window;
    }
}

double RobustBaseline::median() const
{
    std::vector<double> &v = scratch();
    v.assign(m_values.begin(), m_values.end());
    return medianInPlace(v);
}

double RobustBaseline::scale() const
{
    const double m = median();
    std::vector<double> &dev = scratch();
    dev.clear();
    for (const float v : m_values)
        dev.push_back(std::fabs(double(v) - m));
    const double mad = 1.4826 * medianInPlace(dev);
    return std::max({mad, 0.02 * std::fabs(m), 1e-9});
}

double RobustBaseline::z(double x) const { return (x - median()) / scale(); }

} // namespace fg
