#include "seasonalprofile.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

namespace fg {

namespace {
std::int64_t floorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The upper half of a float, rounded to nearest even; NaN stays NaN.
std::uint16_t toBfloat16(float value)
{
    if (std::isnan(value))
        return 0x7fc0;
    const auto bits = std::bit_cast<std::uint32_t>(value);
    return std::uint16_t((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}

float fromBfloat16(std::uint16_t half) { return std::bit_cast<float>(std::uint32_t(half) << 16); }
} // namespace

SeasonalProfile::SeasonalProfile(std::int64_t periodSeconds, int slots, int keep, int minPeriods)
    : m_periodNs(periodSeconds * kNsPerSec), m_slotNs(m_periodNs / slots), m_slots(slots),
      m_keep(std::clamp(keep, 1, 15)), m_minPeriods(std::clamp(minPeriods, 1, m_keep))
{
}

void SeasonalProfile::add(TimeNs t, double value)
{
    if (!std::isfinite(value))
        return;
    const std::int64_t period = floorDiv(t, m_periodNs);
    if (m_done.empty()) {
        m_done.assign(std::size_t(m_slots) * std::size_t(ringSize()), toBfloat16(NAN));
        m_newest.assign(std::size_t(m_slots), kNoPeriod);
        m_next.assign(std::size_t(m_slots), 0);
        m_firstPeriod = period;
    }
    if (period < m_firstPeriod || period - m_firstPeriod >= kNoPeriod)
        return; // before the first point, or beyond 16 bits of periods (179 years of days)
    const int slot = int(floorDiv(t - period * m_periodNs, m_slotNs) % m_slots);
    if (slot != m_openSlot || period != m_openPeriod) {
        // Too late to count: older than the open slot's period or than what the slot's ring already holds.
        if (period < m_openPeriod || (period == m_openPeriod && slot < m_openSlot))
            return;
        if (const std::uint16_t newest = m_newest[std::size_t(slot)]; newest != kNoPeriod && period - m_firstPeriod <= newest)
            return;
        closeOpen();
        m_openSlot = slot;
        m_openPeriod = period;
        m_openSum = 0;
        m_openCount = 0;
    }
    m_openSum += float(value);
    ++m_openCount;
}

void SeasonalProfile::closeOpen()
{
    if (m_openSlot < 0 || m_openCount == 0)
        return;
    const auto slot = std::size_t(m_openSlot);
    m_done[slot * std::size_t(ringSize()) + m_next[slot]] = toBfloat16(m_openSum / float(m_openCount));
    m_next[slot] = std::uint8_t((m_next[slot] + 1) % ringSize());
    m_newest[slot] = std::uint16_t(m_openPeriod - m_firstPeriod);
}

double SeasonalProfile::slotMedian(int slot, std::int64_t currentPeriod) const
{
    // The newest `keep` means of periods before the current one: the open slot's first (complete from where
    // `t` stands), then the ring from newest to oldest, whose newest may be the current period's own.
    std::array<float, 16> values{};
    int n = 0;
    if (slot == m_openSlot && m_openCount > 0 && m_openPeriod < currentPeriod)
        values[std::size_t(n++)] = m_openSum / float(m_openCount);
    const std::uint16_t *ring = &m_done[std::size_t(slot) * std::size_t(ringSize())];
    const int newest = (m_next[std::size_t(slot)] + ringSize() - 1) % ringSize();
    const bool newestIsCurrent = m_newest[std::size_t(slot)] != kNoPeriod
                                 && m_firstPeriod + m_newest[std::size_t(slot)] >= currentPeriod;
    for (int i = newestIsCurrent ? 1 : 0; i < ringSize() && n < m_keep; ++i)
        if (const float v = fromBfloat16(ring[(newest - i + ringSize()) % ringSize()]); !std::isnan(v))
            values[std::size_t(n++)] = v;
    if (n < m_minPeriods)
        return NAN;
    std::sort(values.begin(), values.begin() + n);
    return n % 2 ? values[std::size_t(n / 2)] : 0.5 * (double(values[std::size_t(n / 2 - 1)]) + values[std::size_t(n / 2)]);
}

double SeasonalProfile::expected(TimeNs t) const
{
    if (m_done.empty())
        return NAN;
    const std::int64_t period = floorDiv(t, m_periodNs);
    // Position in slots, measured from the first slot's centre.
    const double x = double(t - period * m_periodNs) / double(m_slotNs) - 0.5;
    const int lower = int(std::floor(x));
    const double frac = x - lower;
    // The neighbour across the period boundary belongs to the adjacent period's slot.
    const int s0 = (lower + m_slots) % m_slots, s1 = (lower + 1) % m_slots;
    const double e0 = slotMedian(s0, lower < 0 ? period - 1 : period);
    const double e1 = slotMedian(s1, lower + 1 >= m_slots ? period + 1 : period);
    return e0 * (1 - frac) + e1 * frac;
}

} // namespace fg
