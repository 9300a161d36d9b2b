#include "levelshift.h"

#include <algorithm>

namespace fg {

double LevelShift::update(double z)
{
    m_last[m_count % m_last.size()] = z;
    ++m_count;
    if (m_count < m_last.size())
        return 0;
    std::array<double, 3> sorted = m_last;
    std::sort(sorted.begin(), sorted.end());
    return sorted[1];
}

} // namespace fg
