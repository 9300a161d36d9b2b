#include "walcheckpointer.h"

#include <sqlite3.h>

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

void WalCheckpointer::run()
{
    std::unique_ptr<SqliteDb> db;
    try {
        db = std::make_unique<SqliteDb>(m_path, SqliteDb::Mode::ReadWrite);
        db->queryInt("SELECT count(*) FROM sqlite_schema"); // opens the WAL on this connection
    } catch (const SqliteError &) {
        return; // the writer's own final checkpoint still runs at close
    }
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::seconds(1), [this] { return m_pending || m_stopping; });
            if (m_stopping)
                return;
            m_pending = false;
        }
        sqlite3_wal_checkpoint_v2(db->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        // Pace: one checkpoint per burst of commits is plenty.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

} // namespace fg
