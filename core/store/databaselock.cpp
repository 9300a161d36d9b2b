#include "databaselock.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace fg {

std::unique_ptr<DatabaseLock> DatabaseLock::acquire(const std::string &path, bool *busy, std::string *error)
{
    *busy = false;
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = std::strerror(errno);
        return nullptr;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        *busy = errno == EWOULDBLOCK;
        *error = std::strerror(errno);
        ::close(fd);
        return nullptr;
    }
    return std::unique_ptr<DatabaseLock>(new DatabaseLock(fd));
}

// Closed only after every SQLite connection to the file: closing a descriptor drops the process's POSIX
// locks on the file, SQLite's among them.
DatabaseLock::~DatabaseLock() { ::close(m_fd); }

} // namespace fg
