#pragma once

#include <QThreadPool>
#include <QThreadStorage>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ingest/httpresponder.h"

namespace fg {

class StoreReader;

// Runs read queries off the listener thread, on a small pool whose threads each keep their own
// StoreReader (for SQLite: a read-only connection). The listener never waits for SQL. Every query has a
// time budget and stops early when its client disconnects, so that no request can hold a query thread
// for long; beyond a bounded queue new queries are refused (503) rather than piled up.
class QueryRunner final {
public:
    static constexpr int kBudgetMs = 10'000;
    static constexpr int kMaxQueued = 64;

    using ReaderFactory = std::function<std::unique_ptr<StoreReader>()>;
    explicit QueryRunner(ReaderFactory openReader, int threads = 2, int budgetMs = kBudgetMs);
    ~QueryRunner();

    using Query = std::function<HttpResponse(StoreReader &)>;
    void run(Query query, HttpResponder responder);
    // Stops every query now and refuses new ones (shutdown).
    void interruptAll();

    struct Stats {
        int threads = 0;
        int running = 0;
        int queued = 0;
        std::int64_t timedOut = 0;  // stopped at the time budget
        std::int64_t cancelled = 0; // stopped because the client left
        std::int64_t refused = 0;   // refused with 503: the queue was full
        bool saturated() const { return running >= threads && queued > 0; }
    };
    Stats stats() const;

private:
    ReaderFactory m_openReader;
    const int m_budgetMs;
    QThreadPool m_pool;
    QThreadStorage<std::shared_ptr<StoreReader>> m_readers;
    std::atomic<bool> m_stopping{false};
    std::atomic<int> m_waiting{0};
    std::atomic<int> m_running{0};
    std::atomic<std::int64_t> m_timedOut{0};
    std::atomic<std::int64_t> m_cancelled{0};
    std::atomic<std::int64_t> m_refused{0};
};

} // namespace fg
