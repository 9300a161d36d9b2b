#pragma once

#include <atomic>
#include <cstdint>

namespace fg {

// The one source of ids for rules, silences, channels, alerts and incidents: seeded at start past every
// id stored in any of them, so that no two objects share an id, across restarts too. Thread-safe.
class IdAllocator final {
public:
    explicit IdAllocator(std::int64_t first = 1) : m_next(first) {}
    std::int64_t next() { return m_next.fetch_add(1, std::memory_order_relaxed); }
    // Moves past `id` (ids restored from storage).
    void reserveThrough(std::int64_t id)
    {
        std::int64_t current = m_next.load(std::memory_order_relaxed);
        while (current <= id && !m_next.compare_exchange_weak(current, id + 1, std::memory_order_relaxed)) {
        }
    }

private:
    std::atomic<std::int64_t> m_next;
};

} // namespace fg
