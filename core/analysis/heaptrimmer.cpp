#include "heaptrimmer.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace fg {

void HeapTrimmer::poll(std::int64_t eventsSoFar, bool idle, TimeNs now)
{
    const std::int64_t since = eventsSoFar - m_eventsAtTrim;
    if (since > 0)
        m_idleTrimsLeft = kIdleTrims;
    if (now - m_lastTrim < (idle && m_idleTrimsLeft == 0 ? kIdleInterval : kMinInterval) || (!idle && since < kEveryEvents))
        return;
    if (idle && m_idleTrimsLeft > 0)
        --m_idleTrimsLeft;
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    m_eventsAtTrim = eventsSoFar;
    m_lastTrim = now;
    ++m_trims;
}

} // namespace fg
