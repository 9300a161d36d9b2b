#pragma once

#include <cstdint>
#include <vector>

#include "model/timestamp.h"

namespace fg {

// Expected value of a series at a time of day (or of week), learnt from the same time in earlier periods:
// each slot of the period keeps the mean of its points in each of the last `keep` periods, and the
// expectation is the median of those means, interpolated between neighbouring slot centres. Only whole
// earlier periods count, so the expectation never leans on the points it is compared with.
// Storage is allocated with the first point: a few KiB per series. Completed means are kept as bfloat16 (8
// bits of mantissa, 0.4 % apart): an expectation that close is as good as exact next to the residual noise
// it is compared with, and a thousand services' profiles take half the memory.
class SeasonalProfile final {
public:
    SeasonalProfile(std::int64_t periodSeconds, int slots, int keep, int minPeriods);

    void add(TimeNs t, double value);
    // NaN until `minPeriods` earlier periods cover both slots around t.
    double expected(TimeNs t) const;
    std::size_t memoryBytes() const
    {
        return m_open.capacity() * sizeof(Slot) + m_done.capacity() * sizeof(std::uint16_t) + m_next.capacity();
    }

private:
    struct Slot {
        float sum = 0; // of one slot's few dozen points in one period: float is ample
        std::uint32_t count = 0;
        std::int32_t period = -1; // period the running sum belongs to
    };
    double slotMedian(int slot, std::int64_t currentPeriod) const;

    std::int64_t m_periodNs;
    std::int64_t m_slotNs;
    int m_slots;
    int m_keep;
    int m_minPeriods;
    std::vector<Slot> m_open;  // running mean of each slot in its newest period
    std::vector<std::uint16_t> m_done; // slots × keep ring of completed period means, bfloat16 (NaN: empty)
    std::vector<std::uint8_t> m_next; // ring position per slot
};

} // namespace fg
