#include "ewmachart.h"

#include <algorithm>
#include <cmath>

namespace fg {

double EwmaChart::update(double z)
{
    m_ewma = m_lambda * std::clamp(z, -10.0, 10.0) + (1 - m_lambda) * m_ewma;
    return m_ewma / std::sqrt(m_lambda / (2 - m_lambda));
}

} // namespace fg
