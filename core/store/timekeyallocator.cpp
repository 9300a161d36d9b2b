#include "timekeyallocator.h"

#include "schema.h"
#include "sqlitedb.h"

namespace fg {

namespace {
constexpr std::size_t kMaxRemembered = 200'000;
}

TimeKeyAllocator::TimeKeyAllocator(SqliteDb &db, const std::string &table)
    : m_maxInMs(std::make_unique<Statement>(db.handle(), "SELECT max(id) FROM " + table + " WHERE id BETWEEN ? AND ?"))
{
    Statement maxId(db.handle(), "SELECT max(id) FROM " + table);
    if (maxId.step() && !maxId.isNull(0)) {
        m_maxMs = maxId.int64(0) >> kSeqBits;
        m_maxSeq = (maxId.int64(0) & kSeqMask) + 1;
    }
}

TimeKeyAllocator::~TimeKeyAllocator() = default;

std::int64_t TimeKeyAllocator::allocate(TimeNs ts)
{
    const std::int64_t ms = ts / kNsPerMs;
    if (ms > m_maxMs) {
        m_maxMs = ms;
        m_maxSeq = 1;
        return ms << kSeqBits;
    }
    if (ms == m_maxMs && m_maxSeq <= kSeqMask)
        return (ms << kSeqBits) | m_maxSeq++;
    if (auto it = m_next.find(ms); it != m_next.end() && it->second <= kSeqMask)
        return (ms << kSeqBits) | it->second++;
    return (ms << kSeqBits) | (m_counter++ & kSeqMask);
}

std::int64_t TimeKeyAllocator::exact(TimeNs ts)
{
    std::int64_t ms = ts / kNsPerMs;
    for (;;) {
        if (ms >= m_maxMs)
            return allocate(ms * kNsPerMs);
        auto it = m_next.find(ms);
        if (it == m_next.end()) {
            if (m_next.size() >= kMaxRemembered)
                m_next.clear();
            const std::int64_t lo = ms << kSeqBits;
            m_maxInMs->bind(1, lo).bind(2, lo | kSeqMask);
            std::int64_t next = 0;
            if (m_maxInMs->step() && !m_maxInMs->isNull(0))
                next = (m_maxInMs->int64(0) & kSeqMask) + 1;
            m_maxInMs->reset();
            it = m_next.emplace(ms, next).first;
        }
        if (it->second <= kSeqMask)
            return (ms << kSeqBits) | it->second++;
        // More than a million rows in one millisecond: spill into the next one. The ts column keeps
        // the exact event time; only the ordering key moves by a millisecond.
        ++ms;
    }
}

} // namespace fg
