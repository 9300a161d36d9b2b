#pragma once

// Plain-socket HTTP/1.1 client pieces and process readings shared by the load drivers: blocking, loopback
// only, one request at a time per connection, so the driver's own cost stays small and predictable.

#include <QJsonObject>

#include <string>
#include <vector>

namespace fgbench {

// A TCP connection to 127.0.0.1:port with Nagle off; -1 when refused.
int connectTo(int port);
bool sendAll(int fd, const std::string &data);
// Reads one response (Content-Length framing) into buf; the status code, or 0 when the connection failed.
int readResponse(int fd, std::string &buf);
// GET path on a fresh connection; the JSON body of a 200, or an empty object.
QJsonObject getJson(int port, const char *path);
// A "Field:  123 kB" line of /proc/PID/status, in kB (0 when unreadable).
long readProcKb(qint64 pid, const char *field);
// The p-quantile (0..1) of v, reordering it.
double percentile(std::vector<double> &v, double p);

} // namespace fgbench
