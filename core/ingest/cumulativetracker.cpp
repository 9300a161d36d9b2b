#include "cumulativetracker.h"

#include <algorithm>

namespace fg {

bool CumulativeTracker::toDelta(const std::string &series, TimeNs start, TimeNs time, std::vector<double> &values)
{
    std::string key = series;
    key += '\x1f';
    key += std::to_string(start);
    auto it = m_series.find(key);
    if (it == m_series.end()) {
        if (m_series.size() >= m_max)
            evict();
        State s{time, ++m_clock, values};
        if (start == 0 || start < m_startedAt)
            std::fill(values.begin(), values.end(), 0.0);
        m_series.emplace(std::move(key), std::move(s));
        return true;
    }
    State &s = it->second;
    if (time <= s.time)
        return false;
    bool reset = s.values.size() != values.size();
    for (std::size_t i = 0; !reset && i < values.size(); ++i)
        reset = values[i] < s.values[i];
    s.time = time;
    s.touched = ++m_clock;
    if (reset) {
        s.values = values;
        return true;
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double cumulative = values[i];
        values[i] -= s.values[i];
        s.values[i] = cumulative;
    }
    return true;
}

void CumulativeTracker::evict()
{
    // Drop the older half at once, so eviction costs O(n) per n/2 new series rather than per series.
    std::vector<std::uint64_t> touched;
    touched.reserve(m_series.size());
    for (const auto &[key, s] : m_series)
        touched.push_back(s.touched);
    auto mid = touched.begin() + std::ptrdiff_t((touched.size() - 1) / 2);
    std::nth_element(touched.begin(), mid, touched.end());
    const std::uint64_t cutoff = *mid;
    for (auto it = m_series.begin(); it != m_series.end();)
        it = it->second.touched <= cutoff ? m_series.erase(it) : std::next(it);
}

} // namespace fg
