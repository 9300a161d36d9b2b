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
    // Wall clock for retention cutoffs and write times; tests move it.
    std::function<TimeNs()> clock = &nowNs;
};

// The SQLite StoreWriter, and the only SQLite writer. Owns a thread and a connection; requests queue here and are drained into one
// transaction per loop (group commit). Each job sits in its own savepoint, so a failing job rolls back
// alone and the rest of the group still commits. Between groups it runs retention and the size cap
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
