#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace fg {

// Runs SQLite's quick_check on its own read-only connection and thread: soon after start, then every few
// hours, so that corruption in the middle of the file (which reads only hit later) is reported in
// /api/health and the window instead of surfacing as failing queries. It reads, so it never blocks
// ingest (WAL).
class IntegrityChecker final {
public:
    enum class State { Unchecked, Ok, Corrupt };
    IntegrityChecker(std::string path, std::chrono::seconds firstAfter = std::chrono::seconds(30),
                     std::chrono::seconds every = std::chrono::hours(6));
    ~IntegrityChecker();
    IntegrityChecker(const IntegrityChecker &) = delete;
    IntegrityChecker &operator=(const IntegrityChecker &) = delete;

    State state() const { return m_state.load(); }
    // What quick_check said when it did not say "ok" (the first problem).
    std::string problem() const;

private:
    void run();

    std::string m_path;
    std::chrono::seconds m_firstAfter, m_every;
    std::atomic<State> m_state{State::Unchecked};
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::string m_problem;
    std::atomic<bool> m_stopping{false}; // also interrupts a check under way
    std::thread m_thread;
};

} // namespace fg
