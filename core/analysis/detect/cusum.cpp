#include "cusum.h"

#include <algorithm>

namespace fg {

double Cusum::update(double z)
{
    m_sum = std::clamp(m_sum + std::min(z, 10.0) - m_slack, 0.0, m_limit);
    return m_sum;
}

} // namespace fg
