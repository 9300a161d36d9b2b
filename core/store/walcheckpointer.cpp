#include "walcheckpointer.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>

#include "sqlitedb.h"

namespace fg {


WalCheckpointer::WalCheckpointer(std::string path) : m_path(std::move(path)), m_thread([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

void WalCheckpointer::walGrew()
{
    {
        std::lock_guard lock(m_mutex);
        m_pending = true;
    }
    m_wake.notify_one();
}

void WalCheckpointer::holdPasses(bool hold)
{
    {
        std::lock_guard lock(m_mutex);
        m_heldUntil = hold ? std::chrono::steady_clock::now() + kHoldFor : std::chrono::steady_clock::time_point();
    }
    m_wake.notify_one();
}

bool WalCheckpointer::quiet()
{
    std::lock_guard lock(m_mutex);
    return std::chrono::steady_clock::now() < m_heldUntil && !m_inPass;
}

void WalCheckpointer::run()
{
    std::unique_ptr<SqliteDb> db;
    try {
        db = std::make_unique<SqliteDb>(m_path, SqliteDb::Mode::ReadWrite);
        db->queryInt("SELECT count(*) FROM sqlite_schema"); // opens the WAL on this connection
    } catch (const SqliteError &) {
        return; // the writer's own final checkpoint still runs at close
    }
    const int dbFd = ::open(m_path.c_str(), O_RDONLY | O_CLOEXEC);
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            // A pass when the writer says the WAL grew, or every second anyway; none while held.
            const auto idleUntil = std::chrono::steady_clock::now() + std::chrono::seconds(1);
            for (;;) {
                const auto now = std::chrono::steady_clock::now();
                if (m_stopping || (now >= m_heldUntil && (m_pending || now >= idleUntil)))
                    break;
                m_wake.wait_until(lock, now < m_heldUntil ? m_heldUntil : idleUntil);
            }
            if (m_stopping)
                break;
            m_pending = false;
            m_inPass = true;
        }
        sqlite3_wal_checkpoint_v2(db->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        // A passive pass that does not catch up leaves its copies unsynced; flushing them here keeps the
        // fsync inside the writer's occasional WAL restart short (measured 20–60 ms without this).
        if (dbFd >= 0)
            ::fdatasync(dbFd);
        {
            std::lock_guard lock(m_mutex);
            m_inPass = false;
        }
        // Stay close behind the writer so that its WAL restarts find little left to copy.
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (dbFd >= 0)
        ::close(dbFd);
}

} // namespace fg
