#pragma once

#include <cstdint>

#include "model/timestamp.h"

namespace fg {

// Gives freed heap memory back to the system after a burst of work. glibc keeps the pages a backlog's
// decoded records and buffers used (idle at 806 MB RSS with 100 MB in use was measured); malloc_trim
// returns them. Trims when idle after any work, or under steady load once enough events have gone
// through, at most every few seconds (a trim of a large heap takes milliseconds). No-op without glibc.
class HeapTrimmer final {
public:
    static constexpr std::int64_t kEveryEvents = 200'000;
    static constexpr TimeNs kMinInterval = 5 * kNsPerSec;

    // eventsSoFar: a running count of the work done; idle: nothing is waiting now.
    void poll(std::int64_t eventsSoFar, bool idle, TimeNs now);
    std::int64_t trims() const { return m_trims; }

private:
    std::int64_t m_eventsAtTrim = 0;
    TimeNs m_lastTrim = 0;
    std::int64_t m_trims = 0;
};

} // namespace fg
