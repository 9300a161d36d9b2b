#pragma once

#include <cstdint>
#include <vector>

#include "model/timestamp.h"

namespace fg {

// Expected value of a series at a time of day (or of week), learnt from the same time in earlier periods:
// each slot of the period keeps the mean of its points in each of the last `keep` periods, and the
// expectation is the median of those means, interpolated between neighbouring slot centres. Only whole
// earlier periods count, so the expectation never leans on the points it is compared with.
// Storage is allocated with the first point: a few KiB per series.
class SeasonalProfile final {
public:
    SeasonalProfile(std::int64_t periodSeconds, int slots, int keep, int minPeriods);

    void add(TimeNs t, double value);
    // NaN until `minPeriods` earlier periods cover both slots around t.
    double expected(TimeNs t) const;
    std::size_t memoryBytes() const
    {
        return m_open.capacity() * sizeof(Slot) + m_done.capacity() * sizeof(float) + m_next.capacity();
    }

private:
    struct Slot {
        double sum = 0;
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
    std::vector<float> m_done; // slots × keep ring of completed period means (NaN: empty)
    std::vector<std::uint8_t> m_next; // ring position per slot
};

} // namespace fg
