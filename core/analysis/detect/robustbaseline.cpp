#include "robustbaseline.h"

#include <algorithm>
#include <cmath>

namespace fg {

namespace {
double medianOf(const std::vector<double> &sorted)
{
    const std::size_t n = sorted.size();
    if (n == 0)
        return NAN;
    return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}
} // namespace

RobustBaseline::RobustBaseline(std::size_t window) : m_window(std::max<std::size_t>(window, 1)) {}

void RobustBaseline::add(double x)
{
    if (!std::isfinite(x))
        return;
    if (m_values.size() < m_window) {
        if (m_values.empty()) {
            m_values.reserve(m_window);
            m_sorted.reserve(m_window);
        }
        m_values.push_back(x);
    } else {
        const double old = m_values[m_oldest];
        m_values[m_oldest] = x;
        m_oldest = (m_oldest + 1) % m_window;
        m_sorted.erase(std::lower_bound(m_sorted.begin(), m_sorted.end(), old));
    }
    m_sorted.insert(std::upper_bound(m_sorted.begin(), m_sorted.end(), x), x);
}

double RobustBaseline::median() const { return medianOf(m_sorted); }

double RobustBaseline::scale() const
{
    const double m = median();
    std::vector<double> dev;
    dev.reserve(m_sorted.size());
    for (double v : m_sorted)
        dev.push_back(std::fabs(v - m));
    std::sort(dev.begin(), dev.end());
    const double mad = 1.4826 * medianOf(dev);
    return std::max({mad, 0.02 * std::fabs(m), 1e-9});
}

double RobustBaseline::z(double x) const { return (x - median()) / scale(); }

} // namespace fg
