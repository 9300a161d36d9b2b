#include "levelshift.h"

#include <algorithm>

namespace fg {

double LevelShift::update(double value, double baseline, double scale)
{
    m_last[m_count % m_last.size()] = value;
    ++m_count;
    if (m_count < m_last.size() || scale <= 0)
        return 0;
    std::array<double, 3> sorted = m_last;
    std::sort(sorted.begin(), sorted.end());
    return (sorted[1] - baseline) / scale;
}

} // namespace fg
