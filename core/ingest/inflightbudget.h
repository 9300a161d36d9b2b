#pragma once

#include <atomic>
#include <cstdint>

namespace fg {

// Caps the bytes held for ingest across all connections: request bodies as they arrive, their decoded
// records and the write queue behind them. A request that does not fit is answered 503 + Retry-After
// instead of growing memory. Shared by the listener and storage threads.
class InflightBudget final {
public:
    explicit InflightBudget(std::int64_t capacity) : m_capacity(capacity) {}

    bool tryReserve(std::int64_t bytes)
    {
        std::int64_t cur = m_used.load(std::memory_order_relaxed);
        do {
            if (cur + bytes > m_capacity)
                return false;
        } while (!m_used.compare_exchange_weak(cur, cur + bytes, std::memory_order_relaxed));
        return true;
    }
    void release(std::int64_t bytes) { m_used.fetch_sub(bytes, std::memory_order_relaxed); }
    std::int64_t used() const { return m_used.load(std::memory_order_relaxed); }
    std::int64_t capacity() const { return m_capacity; }

private:
    const std::int64_t m_capacity;
    std::atomic<std::int64_t> m_used{0};
};

} // namespace fg
