#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "model/records.h"

namespace fg {

// Committed logs on their way to live WebSocket subscribers. The store's thread publishes each committed
// batch; while nobody listens that costs one atomic load. With listeners it copies at most kPerBatch logs
// of a batch into a ring of kCapacity (the oldest go first, counted as sampled out), so ingest never waits
// on, nor grows memory for, subscribers. The listener thread takes what is there on its tick.
class LiveFeed final {
public:
    static constexpr std::size_t kPerBatch = 64;
    static constexpr std::size_t kCapacity = 2048;

    struct Taken {
        std::vector<LogRecord> logs;
        std::int64_t committedLogs = 0; // all logs committed since the last take, sampled or not
        std::int64_t committedErrors = 0; // of which ERROR or FATAL
        std::int64_t committedPoints = 0;
        std::int64_t sampledOut = 0; // logs not copied
    };

    void setWanted(bool wanted) { m_wanted.store(wanted, std::memory_order_relaxed); }
    // Store thread.
    void publish(const IngestBatch &batch);
    // Listener thread.
    Taken take();

private:
    std::atomic<bool> m_wanted{false};
    std::mutex m_mutex;
    std::deque<LogRecord> m_logs;
    Taken m_counts;
};

} // namespace fg
