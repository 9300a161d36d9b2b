#include "integritychecker.h"

#include "sqlitedb.h"
#include "storereader.h"

#include <sqlite3.h>

namespace fg {

IntegrityChecker::IntegrityChecker(std::string path, std::chrono::seconds firstAfter, std::chrono::seconds every)
    : m_path(std::move(path)), m_firstAfter(firstAfter), m_every(every), m_thread([this] { run(); })
{
}

IntegrityChecker::~IntegrityChecker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

std::string IntegrityChecker::problem() const
{
    std::lock_guard lock(m_mutex);
    return m_problem;
}

void IntegrityChecker::run()
{
    auto wait = m_firstAfter;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            if (m_wake.wait_for(lock, wait, [this] { return m_stopping.load(); }))
                return;
        }
        wait = m_every;
        try {
            SqliteDb db(m_path, SqliteDb::Mode::ReadOnly);
            sqlite3_progress_handler(
                db.handle(), 10000, [](void *self) { return static_cast<IntegrityChecker *>(self)->m_stopping ? 1 : 0; },
                this);
            Statement check(db.handle(), "PRAGMA quick_check(1)");
            const std::string verdict = check.step() ? std::string(check.text(0)) : std::string("no answer");
            std::lock_guard lock(m_mutex);
            m_problem = verdict == "ok" ? std::string() : verdict;
            m_state = verdict == "ok" ? State::Ok : State::Corrupt;
        } catch (const QueryInterrupted &) {
            return; // stopping
        } catch (const std::exception &e) {
            // A database that cannot even be read for the check is what the check looks for.
            std::lock_guard lock(m_mutex);
            m_problem = e.what();
            m_state = State::Corrupt;
        }
    }
}

} // namespace fg
