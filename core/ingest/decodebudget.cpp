#include "decodebudget.h"

#include <algorithm>

#include "inflightbudget.h"

namespace fg {

namespace {
constexpr std::int64_t kStep = 64 * 1024; // reserve in steps, not per record
}

DecodeBudget::~DecodeBudget()
{
    if (m_reserved)
        m_budget->release(m_reserved);
}

bool DecodeBudget::charge(std::int64_t bytes)
{
    m_charged += bytes;
    while (m_charged > m_available) {
        const std::int64_t step = std::max(kStep, m_charged - m_available);
        if (!m_budget->tryReserve(step))
            return false;
        m_reserved += step;
        m_available += step;
    }
    return true;
}

std::int64_t DecodeBudget::takeReservation()
{
    const std::int64_t r = m_reserved;
    m_reserved = 0;
    return r;
}

} // namespace fg
