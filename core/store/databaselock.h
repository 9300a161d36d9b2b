#pragma once

#include <memory>
#include <string>

namespace fg {

// An exclusive lock on the database file itself (flock on its inode), held while FlowGuard writes it: a
// second instance is refused whatever path reaches the file — another spelling, a symlink or a hard
// link — where a lock keyed on the path let two writers corrupt one database. Creates a missing database
// file readable by its owner only (SQLite gives its WAL the same mode).
class DatabaseLock final {
public:
    // nullptr with *busy set when another process holds it, or with *error set when the file cannot be
    // opened.
    static std::unique_ptr<DatabaseLock> acquire(const std::string &path, bool *busy, std::string *error);
    ~DatabaseLock();
    DatabaseLock(const DatabaseLock &) = delete;
    DatabaseLock &operator=(const DatabaseLock &) = delete;

private:
    explicit DatabaseLock(int fd) : m_fd(fd) {}
    int m_fd;
};

} // namespace fg
