#pragma once

#include <cstdint>
#include <vector>

#include "model/timestamp.h"

namespace fg {

// Expected value of a series at a time of day (or of week), learnt from the same time in earlier periods:
// each slot of the period keeps the mean of its points in each of the last `keep` periods, and the
// expectation is the median of those means, interpolated between neighbouring slot centres. Only whole
// earlier periods count, so the expectation never leans on the points it is compared with.
// Storage is allocated with the first point: 1.4 KiB a daily profile, 3.7 KiB a weekly one. Completed means
// are kept as bfloat16 (8 bits of mantissa, 0.4 % apart): an expectation that close is as good as exact next
// to the residual noise it is compared with. Points arrive in time order, so only one slot is open at a time:
// its mean enters the ring as soon as the points move on, tagged with its period so that the current
// period's means never count for itself (the ring keeps one more than `keep` for that).
class SeasonalProfile final {
public:
    SeasonalProfile(std::int64_t periodSeconds, int slots, int keep, int minPeriods);

    void add(TimeNs t, double value);
    // NaN until `minPeriods` earlier periods cover both slots around t.
    double expected(TimeNs t) const;
    std::size_t memoryBytes() const
    {
        return m_done.capacity() * sizeof(std::uint16_t) + m_newest.capacity() * sizeof(std::uint16_t) + m_next.capacity();
    }

private:
    static constexpr std::uint16_t kNoPeriod = 0xffff;
    // Moves the open slot's mean into its ring.
    void closeOpen();
    double slotMedian(int slot, std::int64_t currentPeriod) const;
    int ringSize() const { return m_keep + 1; }

    std::int64_t m_periodNs;
    std::int64_t m_slotNs;
    int m_slots;
    int m_keep;
    int m_minPeriods;
    std::int64_t m_firstPeriod = 0; // periods are stored relative to the first point's, in 16 bits
    // The open slot: running mean of the newest points (float is ample for a slot's few dozen points).
    int m_openSlot = -1;
    std::int64_t m_openPeriod = 0;
    float m_openSum = 0;
    std::uint32_t m_openCount = 0;
    std::vector<std::uint16_t> m_done;   // slots × (keep + 1) ring of period means, bfloat16 (NaN: empty)
    std::vector<std::uint16_t> m_newest; // per slot: period of its ring's newest mean (kNoPeriod: none)
    std::vector<std::uint8_t> m_next;    // ring position per slot
};

} // namespace fg
