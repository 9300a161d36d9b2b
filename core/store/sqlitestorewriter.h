#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storewriter.h"

namespace fg {

struct StoreOptions {
    std::string path;
    bool syncFull = false;
    std::int64_t retentionSeconds = 7 * 86400;
    std::int64_t analysisRetentionSeconds = 90 * 86400; // KPI minutes and anomalies
    std::int64_t maxDbBytes = 10LL * 1000 * 1000 * 1000;
    int maintenanceIntervalMs = 30'000;
    // The writer starts the WAL over past this size. The background checkpointer has copied nearly all of
    // it by then, so the restart only copies a short tail and syncs (10 ms on average, 17 ms at most, at
    // 230k rows/s). Writes scattered over many pages (rollups of 1,000 services) made restarts at 32 MB a
    // fifth of the writer's time; at 128 MB history for 1,000 services went in 23 % faster.
    std::int64_t walRestartBytes = 128LL << 20;
    // Small log chunks are merged once no commit group has come for this long (under load the writer's
    // time is the ingest's; a trickle leaves it idle most of the time anyway); negative: never.
    int compactAfterIdleMs = 1000;
    // Wall clock for retention cutoffs and write times; tests move it.
    std::function<TimeNs()> clock = &nowNs;
};

// The SQLite StoreWriter, and the only SQLite writer. Owns a thread and a connection; requests queue here and are drained into one
// transaction per loop (group commit). A failing job rolls back alone (the group runs again with a
// savepoint per job) and the rest of the group still commits. Between groups it runs retention and the size cap
// in small batches so ingest is never blocked for long.
class SqliteStoreWriter final : public StoreWriter {
public:
    explicit SqliteStoreWriter(StoreOptions options);
    ~SqliteStoreWriter() override;
    SqliteStoreWriter(const SqliteStoreWriter &) = delete;
    SqliteStoreWriter &operator=(const SqliteStoreWriter &) = delete;

    // Opens (creating if needed) and migrates the database on the writer thread.
    bool start(std::string *error);
    void submit(std::unique_ptr<WriteJob> job) override;
    void stop() override;
    void runMaintenanceNow() override;
    const StoreStats &stats() const override { return m_stats; }
    void setCommittedObserver(Committed observer) override { m_observer = std::move(observer); }

private:
    class Session;
    void run(std::promise<std::string> *opened);

    StoreOptions m_options;
    Committed m_observer;
    StoreStats m_stats;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_maintenanceDone;
    std::deque<std::unique_ptr<WriteJob>> m_queue;
    bool m_stopping = false;
    bool m_running = false;
    int m_maintenanceRequests = 0;
    int m_maintenanceCompleted = 0;
    std::thread m_thread;
};

} // namespace fg
