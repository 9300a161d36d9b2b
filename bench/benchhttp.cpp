#include "benchhttp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QByteArray>
#include <QFile>
#include <QJsonDocument>

#include <algorithm>
#include <cstring>

namespace fgbench {

int connectTo(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

// Reads one HTTP response; returns the status code or 0 on error.
int readResponse(int fd, std::string &buf)
{
    buf.clear();
    char tmp[4096];
    std::size_t headEnd;
    while ((headEnd = buf.find("\r\n\r\n")) == std::string::npos) {
        const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
        if (n <= 0)
            return 0;
        buf.append(tmp, std::size_t(n));
    }
    const int status = std::atoi(buf.c_str() + 9);
    std::size_t len = 0;
    const auto cl = buf.find("Content-Length: ");
    if (cl != std::string::npos && cl < headEnd)
        len = std::size_t(std::atol(buf.c_str() + cl + 16));
    while (buf.size() < headEnd + 4 + len) {
        const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
        if (n <= 0)
            return 0;
        buf.append(tmp, std::size_t(n));
    }
    return status;
}

bool sendAll(int fd, const std::string &data)
{
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        off += std::size_t(n);
    }
    return true;
}

QJsonObject getJson(int port, const char *path)
{
    const int fd = connectTo(port);
    if (fd < 0)
        return {};
    std::string req = std::string("GET ") + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    std::string buf;
    QJsonObject o;
    if (sendAll(fd, req) && readResponse(fd, buf) == 200)
        o = QJsonDocument::fromJson(QByteArray::fromStdString(buf.substr(buf.find("\r\n\r\n") + 4))).object();
    ::close(fd);
    return o;
}

long readProcKb(qint64 pid, const char *field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qsizetype(std::strlen(field))).trimmed().split(' ').value(0).toLong();
    return 0;
}

double percentile(std::vector<double> &v, double p)
{
    if (v.empty())
        return 0;
    const std::size_t k = std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5));
    std::nth_element(v.begin(), v.begin() + long(k), v.end());
    return v[k];
}

} // namespace fgbench
