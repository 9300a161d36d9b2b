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
}

TimeKeyAllocator::~TimeKeyAllocator() = default;

std::int64_t TimeKeyAllocator::allocate(TimeNs ts)
{
    std::int64_t ms = ts / kNsPerMs;
    for (;;) {
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
