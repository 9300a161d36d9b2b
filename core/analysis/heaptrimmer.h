#pragma once

#include <cstdint>

#include "model/timestamp.h"

namespace fg {

// Gives freed heap memory back to the system after a burst of work. glibc keeps the pages a backlog's
// decoded records and buffers used (idle at 806 MB RSS with 100 MB in use was measured); malloc_trim
// returns them. Trims when idle after any work, or under steady load once enough events have gone
// through, at most every few seconds (a trim of a large heap takes milliseconds). Once idle it trims a few
// more times: the store's threads free their buffers and page cache after analysis is done. Then, while
// idle, once a minute: the writer frees its page cache again after each maintenance pass, and those pages
// stayed resident (1,000 services idle: 146 MB, 109 MB after one more trim). No-op without glibc.
class HeapTrimmer final {
public:
    static constexpr std::int64_t kEveryEvents = 200'000;
    static constexpr TimeNs kMinInterval = 5 * kNsPerSec;
    static constexpr int kIdleTrims = 4; // after work, while idle, kMinInterval apart
    static constexpr TimeNs kIdleInterval = 60 * kNsPerSec; // then while idle

    // eventsSoFar: a running count of the work done; idle: nothing is waiting now.
    void poll(std::int64_t eventsSoFar, bool idle, TimeNs now);
    std::int64_t trims() const { return m_trims; }

private:
    std::int64_t m_eventsAtTrim = 0;
    TimeNs m_lastTrim = 0;
    std::int64_t m_trims = 0;
    int m_idleTrimsLeft = 0;
};

} // namespace fg
