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
    if (m_open.empty()) {
        m_open.resize(std::size_t(m_slots));
        m_done.assign(std::size_t(m_slots) * std::size_t(m_keep), toBfloat16(NAN));
        m_next.assign(std::size_t(m_slots), 0);
    }
    const auto period = std::int32_t(floorDiv(t, m_periodNs));
    const int slot = int(floorDiv(t - std::int64_t(period) * m_periodNs, m_slotNs) % m_slots);
    Slot &s = m_open[std::size_t(slot)];
    if (s.period != period) {
        // Points arrive in time order; a slot meeting a new period closes its previous one.
        if (s.count > 0 && s.period < period) {
            m_done[std::size_t(slot) * std::size_t(m_keep) + m_next[std::size_t(slot)]] = toBfloat16(s.sum / float(s.count));
            m_next[std::size_t(slot)] = std::uint8_t((m_next[std::size_t(slot)] + 1) % m_keep);
        } else if (s.period > period) {
            return; // older than the slot's newest period: too late to count
        }
        s = Slot{0, 0, period};
    }
    s.sum += float(value);
    ++s.count;
}

double SeasonalProfile::slotMedian(int slot, std::int64_t currentPeriod) const
{
    std::array<float, 16> values{};
    int n = 0;
    const std::uint16_t *ring = &m_done[std::size_t(slot) * std::size_t(m_keep)];
    for (int i = 0; i < m_keep; ++i)
        if (const float v = fromBfloat16(ring[i]); !std::isnan(v))
            values[std::size_t(n++)] = v;
    // An earlier period still open in this slot is complete from where `t` stands.
    const Slot &s = m_open[std::size_t(slot)];
    if (s.count > 0 && s.period < currentPeriod) {
        if (n == m_keep) {
            // The ring's oldest entry would be the one replaced.
            values[m_next[std::size_t(slot)]] = s.sum / float(s.count);
        } else {
            values[std::size_t(n++)] = s.sum / float(s.count);
        }
    }
    if (n < m_minPeriods)
        return NAN;
    std::sort(values.begin(), values.begin() + n);
    return n % 2 ? values[std::size_t(n / 2)] : 0.5 * (double(values[std::size_t(n / 2 - 1)]) + values[std::size_t(n / 2)]);
}

double SeasonalProfile::expected(TimeNs t) const
{
    if (m_open.empty())
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
