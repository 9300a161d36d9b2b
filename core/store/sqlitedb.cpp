#include "sqlitedb.h"
#include "storereader.h"

#include <sqlite3.h>

namespace fg {

void throwSqlite(sqlite3 *db, int rc, std::string_view context)
{
    if (rc == SQLITE_INTERRUPT)
        throw QueryInterrupted();
    std::string msg(context);
    msg += ": ";
    msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw SqliteError(msg, rc);
}

Statement::Statement(sqlite3 *db, std::string_view sql) : m_db(db)
{
    const int rc = sqlite3_prepare_v3(db, sql.data(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
    if (rc != SQLITE_OK)
        throwSqlite(db, rc, sql);
}

Statement::~Statement() { sqlite3_finalize(m_stmt); }

Statement &Statement::bind(int index, std::int64_t v)
{
    sqlite3_bind_int64(m_stmt, index, v);
    return *this;
}

Statement &Statement::bind(int index, double v)
{
    if (v != v)
        sqlite3_bind_null(m_stmt, index);
    else
        sqlite3_bind_double(m_stmt, index, v);
    return *this;
}

Statement &Statement::bind(int index, std::string_view text)
{
    if (text.empty())
        sqlite3_bind_null(m_stmt, index);
    else
        sqlite3_bind_text(m_stmt, index, text.data(), int(text.size()), SQLITE_STATIC);
    return *this;
}

Statement &Statement::bindText(int index, std::string_view text)
{
    // Copied: callers pass temporaries (built JSON, keys).
    sqlite3_bind_text(m_stmt, index, text.data() ? text.data() : "", int(text.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement &Statement::bindBlob(int index, std::string_view bytes)
{
    sqlite3_bind_blob(m_stmt, index, bytes.data(), int(bytes.size()), SQLITE_STATIC);
    return *this;
}

Statement &Statement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
    return *this;
}

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    const std::string sql = sqlite3_sql(m_stmt) ? sqlite3_sql(m_stmt) : "";
    sqlite3_reset(m_stmt);
    throwSqlite(m_db, rc, sql);
}

void Statement::exec()
{
    while (step()) {
    }
    reset();
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
std::int64_t Statement::int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
double Statement::real(int col) const { return sqlite3_column_double(m_stmt, col); }

std::string_view Statement::text(int col) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, col));
    return p ? std::string_view(p, std::size_t(sqlite3_column_bytes(m_stmt, col))) : std::string_view();
}

std::string_view Statement::blob(int col) const
{
    const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, col));
    return p ? std::string_view(p, std::size_t(sqlite3_column_bytes(m_stmt, col))) : std::string_view();
}

SqliteDb::SqliteDb(const std::string &path, Mode mode)
{
    const int flags = (mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
                      | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = "cannot open database " + path + ": " + (m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc));
        sqlite3_close(m_db);
        m_db = nullptr;
        throw SqliteError(msg, rc);
    }
    sqlite3_extended_result_codes(m_db, 1);
    // Readers may meet a checkpoint or a schema change; wait briefly instead of failing.
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(m_db); }

void SqliteDb::exec(std::string_view sql)
{
    const std::string s(sql);
    char *err = nullptr;
    const int rc = sqlite3_exec(m_db, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = s + ": " + (err ? err : sqlite3_errstr(rc));
        sqlite3_free(err);
        throw SqliteError(msg, rc);
    }
}

std::int64_t SqliteDb::queryInt(std::string_view sql)
{
    Statement st(m_db, sql);
    const std::int64_t v = st.step() ? st.int64(0) : 0;
    st.reset();
    return v;
}

std::int64_t SqliteDb::changes() const { return sqlite3_changes64(m_db); }

Transaction::Transaction(SqliteDb &db) : m_db(db) { m_db.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction()
{
    if (!m_done && !sqlite3_get_autocommit(m_db.handle()))
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit()
{
    m_db.exec("COMMIT");
    m_done = true;
}

} // namespace fg
