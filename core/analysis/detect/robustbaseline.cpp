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

RobustBaseline::RobustBaseline(std::size_t window) : m_window(window) {}

void RobustBaseline::add(double x)
{
    if (!std::isfinite(x))
        return;
    m_values.push_back(x);
    m_sorted.insert(std::upper_bound(m_sorted.begin(), m_sorted.end(), x), x);
    if (m_values.size() > m_window) {
        const double old = m_values.front();
        m_values.pop_front();
        m_sorted.erase(std::lower_bound(m_sorted.begin(), m_sorted.end(), old));
    }
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
