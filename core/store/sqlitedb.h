#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace fg {

class SqliteError : public std::runtime_error {
public:
    SqliteError(const std::string &what, int code) : std::runtime_error(what), m_code(code) {}
    int code() const { return m_code; }

private:
    int m_code;
};

// A prepared statement, reset and re-bound for every use. Used on the thread of its connection only.
class Statement final {
public:
    Statement(sqlite3 *db, std::string_view sql);
    ~Statement();
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Statement &bind(int index, std::int64_t v);
    Statement &bind(int index, int v) { return bind(index, std::int64_t(v)); }
    Statement &bind(int index, double v);
    Statement &bind(int index, std::string_view text); // empty text binds NULL
    Statement &bindNull(int index);
    Statement &bindBlob(int index, std::string_view bytes);
    Statement &bindText(int index, std::string_view text); // empty text binds '', not NULL
    // Steps once: true while a row is available.
    bool step();
    void exec(); // steps to completion, then resets
    void reset();

    bool isNull(int col) const;
    std::int64_t int64(int col) const;
    double real(int col) const;
    std::string_view text(int col) const;
    std::string_view blob(int col) const;

private:
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt = nullptr;
};

// One SQLite connection: opened on, and used only by, the thread that owns it.
class SqliteDb final {
public:
    enum class Mode { ReadWrite, ReadOnly };
    static constexpr int kBusyTimeoutMs = 5000;
    SqliteDb(const std::string &path, Mode mode);
    ~SqliteDb();
    SqliteDb(const SqliteDb &) = delete;
    SqliteDb &operator=(const SqliteDb &) = delete;

    sqlite3 *handle() const { return m_db; }
    void exec(std::string_view sql);
    std::int64_t queryInt(std::string_view sql);
    std::int64_t changes() const;

private:
    sqlite3 *m_db = nullptr;
};

// BEGIN IMMEDIATE now; rolled back on destruction unless committed.
class Transaction final {
public:
    explicit Transaction(SqliteDb &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    void commit();

private:
    SqliteDb &m_db;
    bool m_done = false;
};

[[noreturn]] void throwSqlite(sqlite3 *db, int rc, std::string_view context);

} // namespace fg
