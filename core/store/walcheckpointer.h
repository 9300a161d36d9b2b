#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace fg {

// Copies the WAL back into the database file on its own thread and connection, so that the writer
// thread only appends to the WAL (checkpoint reads, writes and fsyncs are half of the I/O at full
// ingest rate). PASSIVE checkpoints never block the writer or readers; under constant writes they never
// quite catch up, so the writer itself restarts the WAL once it is large (see SqliteStoreWriter).
class WalCheckpointer final {
public:
    explicit WalCheckpointer(std::string path);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    // The writer calls this after each commit; cheap, never blocks on I/O.
    void walGrew();
    // The writer's WAL restart needs the checkpoint lock, which a pass holds; under constant writes the
    // passes ran back to back and the restart never got it (a backfill for 1,000 services grew the WAL to
    // 7 GB, and every page lookup in its index slowed down with it). While held, no pass starts; a hold
    // ends by itself after kHoldFor, should the writer go quiet before it releases it.
    void holdPasses(bool hold);
    // Held and no pass running: the checkpoint lock is free for the writer.
    bool quiet();

private:
    void run();

    std::string m_path;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    static constexpr auto kHoldFor = std::chrono::milliseconds(200);
    bool m_pending = false;
    std::chrono::steady_clock::time_point m_heldUntil;
    bool m_inPass = false;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace fg
