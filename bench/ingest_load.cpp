// Load driver: starts `flowguard --headless` on a temporary database, POSTs pre-generated batches of
// realistic events in one wire format over N keep-alive connections, and prints events/s (counted in the
// database afterwards, not from the answers), ack latency p50/p99, commits/s next to requests/s, peak RSS
// and WAL size. Loopback only; bounded by --duration and a request cap.
//
//   ingest_load --flowguard build/app/flowguard --connections 4 --duration 60 --warmup 5 [--sync full]
//               [--format native|native-metrics|otlp-logs|otlp-metrics|otlp-traces|loki|raw|elastic|events|ws|syslog]
// ws: native batches as WebSocket messages on /ws, each acknowledged once committed. syslog: RFC 5424 over
// TCP with octet counting, which has no acknowledgement: only the stored rate means something there.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchhttp.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

namespace {

using namespace fgbench;
using Clock = std::chrono::steady_clock;

struct Options {
    QString flowguard = QStringLiteral("build/app/flowguard");
    int connections = 4;
    int durationS = 60;
    int warmupS = 5;
    int batch = 1000;
    QString sync = QStringLiteral("normal");
    QString dir;
    QString format = QStringLiteral("native");
    int rssEveryS = 0; // > 0: print RSS every so many seconds (memory flatness over a long run)
    long maxRequests = 2'000'000;
};

const char *const kServices[] = {"auth", "checkout", "search", "inventory", "payments", "gateway"};
const char *const kRoutes[] = {"/api/login", "/api/cart/{id}", "/api/search", "/api/orders/{id}", "/api/pay"};
const char *const kMethods[] = {"GET", "POST", "PUT"};

// An event time inside a body: rewritten before every send so that event times follow the clock.
struct TimeSlot {
    std::size_t offset;
    long long value; // as generated, in the slot's unit
    bool nanos;      // 19 digits of ns, else 13 digits of ms
};

struct Body {
    std::string path;
    std::string contentType;
    std::string text;
    std::vector<TimeSlot> times;
    // The first 8 hex digits of each span id: rewritten with a per-send number, as a span id is an
    // idempotency key and a resent body would otherwise be stored once.
    std::vector<std::size_t> spanIds;
    int successStatus = 202;
    bool metrics = false; // metric points (metric_chunks), not logs
    enum class Transport { Http, WebSocket, Syslog } transport = Transport::Http;
};

// One request's worth of events of one (random) kind, as the format's clients send them.
struct Event {
    const char *service, *route, *method, *level;
    int status;
    double latency;
    unsigned traceA, traceB, traceC, traceD, spanA, spanB, user, host;
};

Event randomEvent(std::mt19937 &rng)
{
    Event e{};
    e.status = rng() % 100 < 3 ? 500 + int(rng() % 4) : 200;
    e.latency = 5 + double(rng() % 40000) / 100.0;
    e.level = e.status >= 500 ? "ERROR" : (rng() % 10 == 0 ? "WARN" : "INFO");
    e.service = kServices[rng() % 6];
    e.route = kRoutes[rng() % 5];
    e.method = kMethods[rng() % 3];
    e.traceA = unsigned(rng()), e.traceB = unsigned(rng()), e.traceC = unsigned(rng()), e.traceD = unsigned(rng());
    e.spanA = unsigned(rng()) | 1u, e.spanB = unsigned(rng());
    e.user = unsigned(rng() % 1000000);
    e.host = unsigned(rng() % 16);
    return e;
}

int severityNumber(const char *level) { return level[0] == 'E' ? 17 : level[0] == 'W' ? 13 : 9; }

// Appends a 19-digit nanosecond time and remembers where it is.
void appendNanos(std::string &out, long long ns, std::vector<TimeSlot> &times)
{
    times.push_back({out.size(), ns, true});
    out += std::to_string(ns);
}

// OTLP logs, traces or metrics: one resource per service, its events in one scope.
Body makeOtlp(std::mt19937 &rng, int n, long long baseNs, const std::string &signal)
{
    Body b;
    b.path = "/v1/" + signal;
    b.contentType = "application/json";
    b.successStatus = 200;
    b.metrics = signal == "metrics";
    const char *resourceKey = signal == "logs" ? "resourceLogs" : signal == "traces" ? "resourceSpans" : "resourceMetrics";
    const char *scopeKey = signal == "logs" ? "scopeLogs" : signal == "traces" ? "scopeSpans" : "scopeMetrics";
    const char *itemsKey = signal == "logs" ? "logRecords" : signal == "traces" ? "spans" : "metrics";
    std::string &out = b.text;
    out = std::string("{\"") + resourceKey + "\":[";
    char buf[1024];
    for (int s = 0; s < 6; ++s) {
        const int count = n / 6 + (s < n % 6 ? 1 : 0);
        std::snprintf(buf, sizeof buf,
                      "%s{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"%s\"}},"
                      "{\"key\":\"host.name\",\"value\":{\"stringValue\":\"web-%d\"}}]},\"%s\":[{\"scope\":{\"name\":\"app\"},\"%s\":[",
                      s ? "," : "", kServices[s], s, scopeKey, itemsKey);
        out += buf;
        for (int i = 0; i < count; ++i) {
            Event e = randomEvent(rng);
            const long long t = baseNs + (long long)(out.size() % 1000) * 1'000'000LL;
            if (i)
                out += ',';
            if (signal == "logs") {
                out += "{\"timeUnixNano\":\"";
                appendNanos(out, t, b.times);
                std::snprintf(buf, sizeof buf,
                              "\",\"severityNumber\":%d,\"severityText\":\"%s\",\"body\":{\"stringValue\":\"%s %s completed "
                              "status=%d latency=%.1fms user_id=u%06u upstream=db-primary pool=main retries=0\"},"
                              "\"attributes\":[{\"key\":\"http.route\",\"value\":{\"stringValue\":\"%s\"}},"
                              "{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"%s\"}},"
                              "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":%d}}],"
                              "\"traceId\":\"%08x%08x%08x%08x\",\"spanId\":\"%08x%08x\"}",
                              severityNumber(e.level), e.level, e.method, e.route, e.status, e.latency, e.user, e.route,
                              e.method, e.status, e.traceA, e.traceB, e.traceC, e.traceD, e.spanA, e.spanB);
                out += buf;
            } else if (signal == "traces") {
                std::snprintf(buf, sizeof buf,
                              "{\"traceId\":\"%08x%08x%08x%08x\",\"spanId\":\"%08x%08x\",\"name\":\"%s %s\",\"kind\":2,"
                              "\"startTimeUnixNano\":\"",
                              e.traceA, e.traceB, e.traceC, e.traceD, e.spanA, e.spanB, e.method, e.route);
                b.spanIds.push_back(out.size() + std::string_view(buf).find("spanId") + 9);
                out += buf;
                appendNanos(out, t, b.times);
                out += "\",\"endTimeUnixNano\":\"";
                appendNanos(out, t + (long long)(e.latency * 1e6), b.times);
                std::snprintf(buf, sizeof buf,
                              "\",\"attributes\":[{\"key\":\"http.route\",\"value\":{\"stringValue\":\"%s\"}},"
                              "{\"key\":\"http.request.method\",\"value\":{\"stringValue\":\"%s\"}},"
                              "{\"key\":\"http.response.status_code\",\"value\":{\"intValue\":%d}}],"
                              "\"status\":{\"code\":%d}}",
                              e.route, e.method, e.status, e.status >= 500 ? 2 : 0);
                out += buf;
            } else {
                // A gauge and a delta counter per route and host: 160 series per service, one point each.
                const bool gauge = i % 2 == 0;
                std::snprintf(buf, sizeof buf,
                              "{\"name\":\"%s\",\"%s\":{%s\"dataPoints\":[{\"timeUnixNano\":\"",
                              gauge ? "http.server.active_requests" : "http.server.requests", gauge ? "gauge" : "sum",
                              gauge ? "" : "\"aggregationTemporality\":1,\"isMonotonic\":true,");
                out += buf;
                appendNanos(out, t, b.times);
                std::snprintf(buf, sizeof buf,
                              "\",\"asInt\":\"%u\",\"attributes\":[{\"key\":\"http.route\",\"value\":{\"stringValue\":\"%s\"}},"
                              "{\"key\":\"host\",\"value\":{\"stringValue\":\"web-%u\"}}]}]}}",
                              e.user % 100, e.route, e.host);
                out += buf;
            }
        }
        out += "]}]}";
    }
    out += "]}";
    return b;
}

// Loki push: one stream per service and level (as clients split them by an automatic level label).
Body makeLoki(std::mt19937 &rng, int n, long long baseNs)
{
    Body b;
    b.path = "/loki/api/v1/push";
    b.contentType = "application/json";
    b.successStatus = 204;
    std::vector<Event> events;
    for (int i = 0; i < n; ++i)
        events.push_back(randomEvent(rng));
    std::string &out = b.text;
    out = "{\"streams\":[";
    char buf[1024];
    bool firstStream = true;
    for (const char *service : kServices)
        for (const char *level : {"INFO", "WARN", "ERROR"}) {
            bool first = true;
            for (const Event &e : events) {
                if (std::strcmp(e.service, service) != 0 || std::strcmp(e.level, level) != 0)
                    continue;
                if (first) {
                    std::snprintf(buf, sizeof buf, "%s{\"stream\":{\"service_name\":\"%s\",\"env\":\"prod\",\"level\":\"%s\"},\"values\":[",
                                  firstStream ? "" : ",", service, level);
                    out += buf;
                    firstStream = false;
                } else {
                    out += ',';
                }
                first = false;
                out += "[\"";
                appendNanos(out, baseNs + (long long)(out.size() % 1000) * 1'000'000LL, b.times);
                std::snprintf(buf, sizeof buf,
                              "\",\"%s %s completed status=%d latency=%.1fms user_id=u%06u upstream=db-primary pool=main\","
                              "{\"trace_id\":\"%08x%08x%08x%08x\"}]",
                              e.method, e.route, e.status, e.latency, e.user, e.traceA, e.traceB, e.traceC, e.traceD);
                out += buf;
            }
            if (!first)
                out += "]}";
        }
    out += "]}";
    return b;
}

// Native metric samples, the same gauge/counter series as otlp-metrics (route × host per service), so the two
// paths can be compared.
Body makeNativeMetrics(std::mt19937 &rng, int n, long long baseMs)
{
    Body b;
    b.path = "/api/ingest/metrics";
    b.contentType = "application/json";
    b.metrics = true;
    std::string &out = b.text;
    out = "[";
    char buf[512];
    for (int i = 0; i < n; ++i) {
        const Event e = randomEvent(rng);
        const bool gauge = i % 2 == 0;
        std::snprintf(buf, sizeof buf, "%s{\"service\":\"%s\",\"ts\":", i ? "," : "", e.service);
        out += buf;
        b.times.push_back({out.size(), baseMs, false});
        out += std::to_string(baseMs);
        std::snprintf(buf, sizeof buf,
                      ",\"name\":\"%s\",\"type\":\"%s\",\"value\":%u,\"tags\":{\"http.route\":\"%s\",\"host\":\"web-%u\"}}",
                      gauge ? "http.server.active_requests" : "http.server.requests", gauge ? "gauge" : "counter",
                      e.user % 100, e.route, e.host);
        out += buf;
    }
    out += "]";
    return b;
}

// Raw text lines of one service (POST /ingest?service=…); event times are the receive times.
Body makeRaw(std::mt19937 &rng, int n)
{
    Body b;
    const Event first = randomEvent(rng);
    b.path = std::string("/ingest?service=") + first.service;
    b.contentType = "text/plain";
    char buf[512];
    for (int i = 0; i < n; ++i) {
        const Event e = randomEvent(rng);
        std::snprintf(buf, sizeof buf, "%s %s %s completed status=%d latency=%.1fms user_id=u%06u upstream=db-primary\n",
                      e.level, e.method, e.route, e.status, e.latency, e.user);
        b.text += buf;
    }
    return b;
}

// Elasticsearch _bulk as Fluent Bit and Filebeat send it: an action line, then an ECS-shaped document whose
// @timestamp is 13 digits of epoch milliseconds.
Body makeElastic(std::mt19937 &rng, int n, long long &tsMs)
{
    Body b;
    b.path = "/_bulk";
    b.contentType = "application/x-ndjson";
    b.successStatus = 200;
    char buf[1024];
    for (int i = 0; i < n; ++i) {
        const Event e = randomEvent(rng);
        b.text += "{\"create\":{\"_index\":\"logs-app\"}}\n{\"@timestamp\":";
        b.times.push_back({b.text.size(), ++tsMs, false});
        b.text += std::to_string(tsMs);
        std::snprintf(buf, sizeof buf,
                      ",\"message\":\"%s %s completed status=%d latency=%.1fms\",\"log\":{\"level\":\"%s\"},"
                      "\"service\":{\"name\":\"%s\"},\"host\":{\"name\":\"web-%u\"},\"user_id\":\"u%06u\"}\n",
                      e.method, e.route, e.status, e.latency, e.level, e.service, e.host, e.user);
        b.text += buf;
    }
    return b;
}

// The events API's batch ({"events":[…]}) as an application sends it: no event ids (each gets one), a
// timestamp of 13 digits of epoch milliseconds, data, session and user ids, tags.
Body makeEvents(std::mt19937 &rng, int n, long long &tsMs)
{
    static const char *const kTypes[] = {"page_view", "checkout.completed", "payment.failed", "search", "login"};
    Body b;
    b.path = "/events/batch";
    b.contentType = "application/json";
    b.successStatus = 201;
    b.text = "{\"events\":[";
    char buf[1024];
    for (int i = 0; i < n; ++i) {
        const Event e = randomEvent(rng);
        const char *severity = e.status >= 500 ? "high" : e.level[0] == 'W' ? "medium" : "low";
        b.text += i ? ",{\"timestamp\":" : "{\"timestamp\":";
        b.times.push_back({b.text.size(), ++tsMs, false});
        b.text += std::to_string(tsMs);
        std::snprintf(buf, sizeof buf,
                      ",\"type\":\"%s\",\"source\":\"%s\",\"severity\":\"%s\",\"data\":{\"route\":\"%s\","
                      "\"status\":%d,\"latency_ms\":%.1f},\"session_id\":\"s%06u\",\"user_id\":\"u%06u\","
                      "\"tags\":[\"web-%u\"]}",
                      kTypes[rng() % 5], e.service, severity, e.route, e.status, e.latency, e.user % 9973, e.user, e.host);
        b.text += buf;
    }
    b.text += "]}";
    return b;
}

// ~400-byte native events in the shape services send: service, time, level, message, latency, status,
// route. Each "ts" is 13 digits of epoch milliseconds.
std::string makeBatch(std::mt19937 &rng, int n, long long &tsMs, std::vector<TimeSlot> &tsOffsets)
{
    static const char *services[] = {"auth", "checkout", "search", "inventory", "payments", "gateway"};
    static const char *routes[] = {"/api/login", "/api/cart/{id}", "/api/search", "/api/orders/{id}", "/api/pay"};
    static const char *methods[] = {"GET", "POST", "PUT"};
    std::string out = "[";
    char buf[1024];
    for (int i = 0; i < n; ++i) {
        const int status = rng() % 100 < 3 ? 500 + int(rng() % 4) : 200;
        const double latency = 5 + double(rng() % 40000) / 100.0;
        const char *level = status >= 500 ? "ERROR" : (rng() % 10 == 0 ? "WARN" : "INFO");
        const char *route = routes[rng() % 5];
        std::snprintf(buf, sizeof buf,
                      "%s{\"service\":\"%s\",\"ts\":%lld,\"level\":\"%s\",\"message\":\"%s %s completed status=%d "
                      "latency=%.1fms user_id=u%06u request_id=%08x%08x upstream=db-primary pool=main retries=0\","
                      "\"latency_ms\":%.1f,\"status_code\":%d,\"endpoint\":\"%s\",\"method\":\"%s\","
                      "\"trace_id\":\"%08x%08x%08x%08x\",\"span_id\":\"%08x%08x\",\"attributes\":{\"host\":\"web-%u\","
                      "\"region\":\"eu-west-1\",\"version\":\"1.4.2\"}}",
                      i ? "," : "", services[rng() % 6], tsMs, level, methods[rng() % 3], route, status, latency,
                      unsigned(rng() % 1000000), unsigned(rng()), unsigned(rng()), latency, status, route,
                      methods[rng() % 3], unsigned(rng()), unsigned(rng()), unsigned(rng()), unsigned(rng()),
                      unsigned(rng()), unsigned(rng()), unsigned(rng() % 16));
        tsOffsets.push_back({out.size() + std::string_view(buf).find("\"ts\":") + 5, tsMs, false});
        out += buf;
    }
    out += "]";
    return out;
}

// A native batch as one WebSocket text message on /ws: a client frame is masked, here with the all-zero key
// (valid, and it leaves the payload as written so event times can be patched in place).
Body makeWebSocket(std::mt19937 &rng, int n, long long &tsMs)
{
    Body b;
    b.path = "/ws";
    b.transport = Body::Transport::WebSocket;
    std::vector<TimeSlot> times;
    const std::string batch = makeBatch(rng, n, tsMs, times);
    const std::string payload = "{\"type\":\"log\",\"id\":1,\"data\":" + batch + "}";
    std::string frame{char(0x81)};
    if (payload.size() < 126) {
        frame += char(0x80 | payload.size());
    } else if (payload.size() <= 0xffff) {
        frame += char(0x80 | 126);
        frame += char(payload.size() >> 8);
        frame += char(payload.size() & 0xff);
    } else {
        frame += char(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            frame += char((std::uint64_t(payload.size()) >> shift) & 0xff);
    }
    frame += std::string(4, '\0'); // masking key
    const std::size_t shift = frame.size() + payload.find("\"data\":") + 7;
    for (TimeSlot &t : times)
        t.offset += shift;
    b.times = std::move(times);
    b.text = frame + payload;
    return b;
}

// RFC 5424 messages with octet counting, as rsyslog's omfwd sends them; no time (the receive time is used).
Body makeSyslog(std::mt19937 &rng, int n)
{
    Body b;
    b.transport = Body::Transport::Syslog;
    char buf[512];
    for (int i = 0; i < n; ++i) {
        const Event e = randomEvent(rng);
        const int severity = e.level[0] == 'E' ? 3 : e.level[0] == 'W' ? 4 : 6;
        const int len = std::snprintf(buf, sizeof buf,
                                      "<%d>1 - web-%u %s - - - %s %s completed status=%d latency=%.1fms user_id=u%06u "
                                      "upstream=db-primary",
                                      16 * 8 + severity, e.host, e.service, e.method, e.route, e.status, e.latency, e.user);
        b.text += std::to_string(len) + " " + std::string(buf, std::size_t(len));
    }
    return b;
}

// Opens /ws on a fresh connection: -1 unless the server switched protocols.
int openWebSocket(int port)
{
    const int fd = connectTo(port);
    if (fd < 0)
        return -1;
    const std::string upgrade = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    std::string head;
    char c;
    if (sendAll(fd, upgrade))
        while (head.find("\r\n\r\n") == std::string::npos && head.size() < 4096 && ::read(fd, &c, 1) == 1)
            head += c;
    if (head.rfind("HTTP/1.1 101", 0) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool readExactly(int fd, char *out, std::size_t n)
{
    for (std::size_t got = 0; got < n;) {
        const ssize_t r = ::read(fd, out + got, n - got);
        if (r <= 0)
            return false;
        got += std::size_t(r);
    }
    return true;
}

// Reads one server message; the status it reports (202 for an ack), or 0 when the connection failed.
int readWebSocketAnswer(int fd, std::string &buf)
{
    unsigned char head[2];
    if (!readExactly(fd, reinterpret_cast<char *>(head), 2))
        return 0;
    std::uint64_t len = head[1] & 0x7f;
    if (len >= 126) {
        unsigned char ext[8];
        const std::size_t n = len == 126 ? 2 : 8;
        if (!readExactly(fd, reinterpret_cast<char *>(ext), n))
            return 0;
        len = 0;
        for (std::size_t i = 0; i < n; ++i)
            len = len << 8 | ext[i];
    }
    if (len > 1 << 20)
        return 0;
    buf.resize(len);
    if (!readExactly(fd, buf.data(), len))
        return 0;
    const std::size_t at = buf.find("\"status\":");
    return at == std::string::npos ? 0 : std::atoi(buf.c_str() + at + 9);
}

// A loopback TCP port free right now (for the syslog listener, which has no "any port" option).
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

long long queryInt(sqlite3 *h, const std::string &sql)
{
    sqlite3_stmt *st = nullptr;
    long long n = -1;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

// Stored log events are staged rows plus the events of log chunks (schema 9); older databases have rows only.
long long countRows(const QString &db, const char *table)
{
    sqlite3 *h = nullptr;
    long long n = -1;
    if (sqlite3_open_v2(db.toUtf8().constData(), &h, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        n = queryInt(h, std::string("SELECT count(*) FROM ") + table);
        if (std::string_view(table) == "logs" && n >= 0)
            n += std::max(0LL, queryInt(h, "SELECT coalesce(sum(count), 0) FROM log_chunks"));
        if (std::string_view(table) == "metric_points" && n >= 0)
            n += std::max(0LL, queryInt(h, "SELECT coalesce(sum(count), 0) FROM metric_chunks"));
    }
    sqlite3_close(h);
    return n;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        const QString &k = args[i], &v = args[i + 1];
        if (k == QLatin1String("--flowguard"))
            o.flowguard = v;
        else if (k == QLatin1String("--connections"))
            o.connections = v.toInt();
        else if (k == QLatin1String("--duration"))
            o.durationS = v.toInt();
        else if (k == QLatin1String("--warmup"))
            o.warmupS = v.toInt();
        else if (k == QLatin1String("--batch"))
            o.batch = v.toInt();
        else if (k == QLatin1String("--sync"))
            o.sync = v;
        else if (k == QLatin1String("--dir"))
            o.dir = v;
        else if (k == QLatin1String("--format"))
            o.format = v;
        else if (k == QLatin1String("--rss-every"))
            o.rssEveryS = v.toInt();
        else {
            std::fprintf(stderr, "unknown option %s\n", qPrintable(k));
            return 2;
        }
    }

    // --dir puts the database elsewhere (e.g. /dev/shm to separate file-system cost from SQLite's).
    QTemporaryDir dir(o.dir.isEmpty() ? QDir::tempPath() + QStringLiteral("/flowguard-bench-XXXXXX")
                                      : o.dir + QStringLiteral("/flowguard-bench-XXXXXX"));
    const QString db = dir.filePath(QStringLiteral("bench.db"));
    QProcess server;
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    const int syslogPort = o.format == QLatin1String("syslog") ? freePort() : 0;
    server.start(o.flowguard, {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                               QStringLiteral("--db"), db, QStringLiteral("--sync"), o.sync,
                               QStringLiteral("--retention"), QStringLiteral("off"), QStringLiteral("--syslog-port"),
                               QString::number(syslogPort)});
    if (!server.waitForStarted() || !server.waitForReadyRead(10000)) {
        std::fprintf(stderr, "flowguard did not start\n");
        return 1;
    }
    const QByteArray line = server.readLine().trimmed();
    const int port = line.mid(line.lastIndexOf(':') + 1).toInt();
    const qint64 pid = server.processId();

    static const QStringList kFormats = {QStringLiteral("native"), QStringLiteral("native-metrics"),
                                         QStringLiteral("otlp-logs"), QStringLiteral("otlp-metrics"),
                                         QStringLiteral("otlp-traces"), QStringLiteral("loki"), QStringLiteral("raw"),
                                         QStringLiteral("elastic"), QStringLiteral("events"), QStringLiteral("ws"),
                                         QStringLiteral("syslog")};
    if (!kFormats.contains(o.format)) {
        std::fprintf(stderr, "unknown --format %s (%s)\n", qPrintable(o.format), qPrintable(kFormats.join(QLatin1Char('|'))));
        return 2;
    }
    std::printf("generating %s batches of %d events...\n", qPrintable(o.format), o.batch);
    // Each connection owns its requests, since event times are patched before each send.
    struct Request {
        std::string bytes;
        std::vector<TimeSlot> times;
        std::vector<std::size_t> spanIds;
    };
    std::vector<std::vector<Request>> perConnection(std::size_t(o.connections));
    std::mt19937 rng(42);
    const long long baseNs = 1'767'225'600'000'000'000LL;
    long long tsMs = baseNs / 1'000'000;
    std::size_t bodyBytes = 0, bodies = 0;
    int successStatus = 202;
    bool metricRows = false;
    Body::Transport transport = Body::Transport::Http;
    for (auto &requests : perConnection) {
        for (int i = 0; i < 16; ++i) {
            Body b;
            if (o.format == QLatin1String("native")) {
                b.path = "/api/ingest/logs";
                b.contentType = "application/json";
                b.text = makeBatch(rng, o.batch, tsMs, b.times);
            } else if (o.format == QLatin1String("native-metrics")) {
                b = makeNativeMetrics(rng, o.batch, baseNs / 1'000'000);
            } else if (o.format.startsWith(QLatin1String("otlp-"))) {
                b = makeOtlp(rng, o.batch, baseNs, o.format.mid(5).toStdString());
            } else if (o.format == QLatin1String("elastic")) {
                b = makeElastic(rng, o.batch, tsMs);
            } else if (o.format == QLatin1String("events")) {
                b = makeEvents(rng, o.batch, tsMs);
            } else if (o.format == QLatin1String("loki")) {
                b = makeLoki(rng, o.batch, baseNs);
            } else if (o.format == QLatin1String("ws")) {
                b = makeWebSocket(rng, o.batch, tsMs);
            } else if (o.format == QLatin1String("syslog")) {
                b = makeSyslog(rng, o.batch);
            } else {
                b = makeRaw(rng, o.batch);
            }
            successStatus = b.successStatus;
            metricRows = b.metrics;
            transport = b.transport;
            const std::string head = b.transport != Body::Transport::Http
                                         ? std::string()
                                         : "POST " + b.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + b.contentType
                                               + "\r\nContent-Length: " + std::to_string(b.text.size()) + "\r\n\r\n";
            Request r;
            r.times = std::move(b.times);
            for (TimeSlot &t : r.times)
                t.offset += head.size();
            r.spanIds = std::move(b.spanIds);
            for (std::size_t &off : r.spanIds)
                off += head.size();
            r.bytes = head + b.text;
            bodyBytes += b.text.size();
            ++bodies;
            requests.push_back(std::move(r));
        }
    }
    std::printf("average event size %.0f bytes, %d connections, sync=%s, warm-up %d s, measure %d s\n",
                double(bodyBytes) / (double(bodies) * o.batch), o.connections, qPrintable(o.sync), o.warmupS, o.durationS);

    std::atomic<int> phase{0}; // 0 warm-up, 1 measure, 2 stop
    std::atomic<long> sent{0}, ok{0}, failed{0}, measuredOk{0}, sendNumber{0};
    std::mutex latMutex;
    std::vector<double> latencies;
    std::vector<std::thread> threads;
    for (int c = 0; c < o.connections; ++c) {
        threads.emplace_back([&, c] {
            auto open = [&] {
                return transport == Body::Transport::WebSocket ? openWebSocket(port)
                       : transport == Body::Transport::Syslog  ? connectTo(syslogPort)
                                                               : connectTo(port);
            };
            auto answer = [&](int fd, std::string &buf) {
                return transport == Body::Transport::WebSocket ? readWebSocketAnswer(fd, buf)
                       : transport == Body::Transport::Syslog  ? successStatus // no acknowledgement
                                                               : readResponse(fd, buf);
            };
            int fd = open();
            std::string buf;
            std::vector<double> local;
            auto &requests = perConnection[std::size_t(c)];
            for (std::size_t i = 0; phase < 2 && sent < o.maxRequests; ++i) {
                Request &req = requests[i % requests.size()];
                // The batch covers the last second or so: every generated time moves by the same shift.
                const long long shiftNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::system_clock::now().time_since_epoch()).count()
                                          - 1'000'000'000LL - baseNs;
                for (const TimeSlot &t : req.times) {
                    const std::string digits = std::to_string(t.value + (t.nanos ? shiftNs : shiftNs / 1'000'000));
                    std::memcpy(req.bytes.data() + t.offset, digits.data(), t.nanos ? 19 : 13);
                }
                if (!req.spanIds.empty()) {
                    char hex[9];
                    std::snprintf(hex, sizeof hex, "%08lx", static_cast<unsigned long>(++sendNumber) & 0xffffffffUL);
                    for (std::size_t off : req.spanIds)
                        std::memcpy(req.bytes.data() + off, hex, 8);
                }
                const auto t0 = Clock::now();
                ++sent;
                const int status = fd >= 0 && sendAll(fd, req.bytes) ? answer(fd, buf) : 0;
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                if (status == successStatus) {
                    ++ok;
                    if (phase == 1) {
                        ++measuredOk;
                        local.push_back(ms);
                    }
                } else {
                    ++failed;
                    if (status == 0) {
                        ::close(fd);
                        fd = open();
                    }
                }
            }
            if (fd >= 0)
                ::close(fd);
            std::lock_guard lock(latMutex);
            latencies.insert(latencies.end(), local.begin(), local.end());
        });
    }
    std::this_thread::sleep_for(std::chrono::seconds(o.warmupS));
    const QJsonObject before = getJson(port, "/api/health");
    const QString rowsKey = metricRows ? QStringLiteral("metric_points") : QStringLiteral("logs");
    const long long rowsBefore = before.value(QStringLiteral("db")).toObject().value(rowsKey).toInteger();
    const qint64 commitsBefore = before.value(QStringLiteral("db")).toObject().value(QStringLiteral("commits")).toInteger();
    const long okBefore = ok;
    phase = 1;
    const auto t0 = Clock::now();
    long peakRssKb = 0;
    qint64 walBytes = 0;
    int nextRssReport = o.rssEveryS;
    while (Clock::now() - t0 < std::chrono::seconds(o.durationS)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        const long rssKb = readProcKb(pid, "VmRSS:");
        peakRssKb = std::max(peakRssKb, rssKb);
        walBytes = std::max<qint64>(walBytes, QFileInfo(db + QStringLiteral("-wal")).size());
        const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
        if (o.rssEveryS > 0 && elapsed >= nextRssReport) {
            nextRssReport += o.rssEveryS;
            const QJsonObject health = getJson(port, "/api/health");
            std::printf("  at %5.0f s: RSS %6.1f MB, acknowledged %ld events, WAL %.1f MB (%lld restarts), analysis %lld"
                        " events behind\n",
                        elapsed, rssKb / 1024.0, (ok - okBefore) * o.batch,
                        double(QFileInfo(db + QStringLiteral("-wal")).size()) / 1048576.0,
                        health.value(QStringLiteral("db")).toObject().value(QStringLiteral("wal_restarts")).toInteger(),
                        health.value(QStringLiteral("analysis")).toObject().value(QStringLiteral("lag_events")).toInteger());
            std::fflush(stdout);
        }
    }
    const QJsonObject after = getJson(port, "/api/health");
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    phase = 2;
    for (auto &t : threads)
        t.join();
    const long long rowsAfter = after.value(QStringLiteral("db")).toObject().value(rowsKey).toInteger();
    const qint64 commitsAfter = after.value(QStringLiteral("db")).toObject().value(QStringLiteral("commits")).toInteger();
    const long hwm = readProcKb(pid, "VmHWM:");
    const QJsonObject analysis = getJson(port, "/api/health").value(QStringLiteral("analysis")).toObject();
    const long acked = ok - okBefore;
    if (transport == Body::Transport::Syslog) {
        // Sent is not stored yet: what sits in the sockets is read as the store catches up. Wait (bounded)
        // until everything sent is stored or the count stops moving.
        long long last = -1;
        for (int i = 0; i < 60; ++i) {
            const long long now = getJson(port, "/api/health").value(QStringLiteral("db")).toObject().value(rowsKey).toInteger();
            if (now >= static_cast<long long>(ok) * o.batch || now == last)
                break;
            last = now;
            std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        }
    }
    // Small chunks (a commit group's share of one service) are merged once the writer is idle: wait
    // (bounded) for that, as a user's database would have it a few seconds after a burst.
    const auto idle = Clock::now();
    QJsonObject dbHealth = getJson(port, "/api/health").value(QStringLiteral("db")).toObject();
    while (dbHealth.value(QStringLiteral("compaction_pending")).toBool() && Clock::now() - idle < std::chrono::seconds(180)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
        dbHealth = getJson(port, "/api/health").value(QStringLiteral("db")).toObject();
    }
    const double compactSecs = std::chrono::duration<double>(Clock::now() - idle).count();
    // A long run reaches the database size cap (10 GB by default), which deletes the oldest events.
    const long long capped = dbHealth.value(QStringLiteral("retention_deleted")).toInteger();
    server.terminate();
    server.waitForFinished(60000);
    const long long rowsOnDisk = countRows(db, metricRows ? "metric_points" : "logs");
    // The server checkpoints and truncates the WAL as it stops: the database file is what stays on disk.
    const qint64 dbFileBytes = QFileInfo(db).size() + QFileInfo(db + QStringLiteral("-wal")).size();
    long long chunkBytes[6] = {-1, -1, -1, -1, -1, -1}, freeBytes = -1;
    {
        sqlite3 *h = nullptr;
        if (sqlite3_open_v2(db.toUtf8().constData(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
            const char *blocks[] = {"keys", "fields", "messages", "attributes", "text_bloom"};
            for (int i = 0; i < 5; ++i)
                chunkBytes[i] = queryInt(h, std::string("SELECT sum(length(") + blocks[i] + ")) FROM log_chunks");
            chunkBytes[5] = queryInt(h, "SELECT coalesce(sum(length(bloom)), 0) FROM log_chunk_keys")
                            + queryInt(h, "SELECT coalesce(sum(length(chunks)), 0) FROM log_key_groups")
                            + queryInt(h, "SELECT coalesce(sum(length(slices)), 0) FROM log_key_slices");
            freeBytes = queryInt(h, "PRAGMA freelist_count") * queryInt(h, "PRAGMA page_size");
        }
        sqlite3_close(h);
    }

    std::printf("\nresults over %.1f s (format %s):\n", secs, qPrintable(o.format));
    std::printf("  stored events/s       %.0f (rows added to the database during the window)\n",
                double(rowsAfter - rowsBefore) / secs);
    std::printf("  acknowledged events/s %.0f%s\n", double(acked) * o.batch / secs,
                transport == Body::Transport::Syslog ? " (syslog: sent, it has no acknowledgement)" : "");
    std::printf("  requests/s            %.1f\n", double(acked) / secs);
    std::printf("  commits/s             %.1f (group commit: fewer commits than requests)\n",
                double(commitsAfter - commitsBefore) / secs);
    if (transport != Body::Transport::Syslog) {
        std::printf("  ack latency p50       %.2f ms\n", percentile(latencies, 0.50));
        std::printf("  ack latency p99       %.2f ms\n", percentile(latencies, 0.99));
    }
    std::printf("  peak RSS              %.1f MB (VmHWM %.1f MB)\n", peakRssKb / 1024.0, hwm / 1024.0);
    std::printf("  WAL size (max seen)   %.1f MB\n", double(walBytes) / 1048576.0);
    std::printf("  failed requests       %ld\n", long(failed));
    std::printf("  analysed events       %lld (dropped by analysis: %lld)\n",
                analysis.value(QStringLiteral("events")).toInteger(), analysis.value(QStringLiteral("dropped")).toInteger());
    std::printf("  rows on disk at end   %lld (acknowledged in total: %ld, deleted by the size cap: %lld)\n", rowsOnDisk,
                long(ok) * o.batch, capped);
    std::printf("  compaction after load %lld small chunks merged, done %.1f s after the load%s\n",
                dbHealth.value(QStringLiteral("chunks_merged")).toInteger(), compactSecs,
                dbHealth.value(QStringLiteral("compaction_pending")).toBool() ? " (still going: not waited for)" : "");
    std::printf("  bytes on disk / event %.1f (database after the closing checkpoint, %.1f MB)\n",
                rowsOnDisk > 0 ? double(dbFileBytes) / double(rowsOnDisk) : 0.0, double(dbFileBytes) / 1048576.0);
    if (rowsOnDisk > 0 && chunkBytes[0] >= 0)
        std::printf("    of which per event   keys %.1f, fields %.1f, messages %.1f, attributes %.1f, text filter %.1f,"
                    " trace filter %.1f, free pages %.1f\n",
                    double(chunkBytes[0]) / double(rowsOnDisk), double(chunkBytes[1]) / double(rowsOnDisk),
                    double(chunkBytes[2]) / double(rowsOnDisk), double(chunkBytes[3]) / double(rowsOnDisk),
                    double(chunkBytes[4]) / double(rowsOnDisk), double(chunkBytes[5]) / double(rowsOnDisk),
                    double(freeBytes) / double(rowsOnDisk));
    return rowsOnDisk + capped >= long(ok) * o.batch ? 0 : 1;
}
