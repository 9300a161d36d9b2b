#pragma once

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

private:
    void run();

    std::string m_path;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_pending = false;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace fg
