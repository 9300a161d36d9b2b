// Load driver: starts `flowguard --headless` on a temporary database, POSTs pre-generated batches of
// realistic log events over N keep-alive connections, and prints events/s (counted in the database
// afterwards, not from the 202s), ack latency p50/p99, commits/s next to requests/s, peak RSS and WAL
// size. Loopback only; bounded by --duration and a request cap.
//
//   ingest_load --flowguard build/app/flowguard --connections 4 --duration 60 --warmup 5 [--sync full]

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
    long maxRequests = 2'000'000;
};

// ~400-byte events in the shape services send: service, time, level, message, latency, status, route.
// Each "ts" is 13 digits of epoch milliseconds, rewritten in place before every send (tsOffsets) so that
// event times follow the clock as they do in live traffic.
std::string makeBatch(std::mt19937 &rng, int n, long long &tsMs, std::vector<std::size_t> &tsOffsets)
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
        tsOffsets.push_back(out.size() + std::string_view(buf).find("\"ts\":") + 5);
        out += buf;
    }
    out += "]";
    return out;
}

long long countRows(const QString &db)
{
    sqlite3 *h = nullptr;
    long long n = -1;
    if (sqlite3_open_v2(db.toUtf8().constData(), &h, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        sqlite3_stmt *st = nullptr;
        if (sqlite3_prepare_v2(h, "SELECT count(*) FROM logs", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
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
    server.start(o.flowguard, {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                               QStringLiteral("--db"), db, QStringLiteral("--sync"), o.sync,
                               QStringLiteral("--retention"), QStringLiteral("off")});
    if (!server.waitForStarted() || !server.waitForReadyRead(10000)) {
        std::fprintf(stderr, "flowguard did not start\n");
        return 1;
    }
    const QByteArray line = server.readLine().trimmed();
    const int port = line.mid(line.lastIndexOf(':') + 1).toInt();
    const qint64 pid = server.processId();

    std::printf("generating batches of %d events...\n", o.batch);
    // Each connection owns its requests, since timestamps are patched before each send.
    struct Request {
        std::string bytes;
        std::vector<std::size_t> tsOffsets;
    };
    std::vector<std::vector<Request>> perConnection(std::size_t(o.connections));
    std::mt19937 rng(42);
    long long tsMs = 1'767'225'600'000LL;
    std::size_t bodyBytes = 0, bodies = 0;
    for (auto &requests : perConnection) {
        for (int i = 0; i < 16; ++i) {
            Request r;
            const std::string body = makeBatch(rng, o.batch, tsMs, r.tsOffsets);
            const std::string head = "POST /api/ingest/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
            for (auto &off : r.tsOffsets)
                off += head.size();
            r.bytes = head + body;
            bodyBytes += body.size();
            ++bodies;
            requests.push_back(std::move(r));
        }
    }
    std::printf("average event size %.0f bytes, %d connections, sync=%s, warm-up %d s, measure %d s\n",
                double(bodyBytes) / (double(bodies) * o.batch), o.connections, qPrintable(o.sync), o.warmupS, o.durationS);

    std::atomic<int> phase{0}; // 0 warm-up, 1 measure, 2 stop
    std::atomic<long> sent{0}, ok{0}, failed{0}, measuredOk{0};
    std::mutex latMutex;
    std::vector<double> latencies;
    std::vector<std::thread> threads;
    for (int c = 0; c < o.connections; ++c) {
        threads.emplace_back([&, c] {
            int fd = connectTo(port);
            std::string buf;
            std::vector<double> local;
            auto &requests = perConnection[std::size_t(c)];
            for (std::size_t i = 0; phase < 2 && sent < o.maxRequests; ++i) {
                Request &req = requests[i % requests.size()];
                // The batch covers the last second, oldest first.
                const long long now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch()).count();
                for (std::size_t e = 0; e < req.tsOffsets.size(); ++e) {
                    const std::string digits = std::to_string(now - 1000 + long(e * 1000 / req.tsOffsets.size()));
                    std::memcpy(req.bytes.data() + req.tsOffsets[e], digits.data(), 13);
                }
                const auto t0 = Clock::now();
                ++sent;
                const int status = fd >= 0 && sendAll(fd, req.bytes) ? readResponse(fd, buf) : 0;
                const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
                if (status == 202) {
                    ++ok;
                    if (phase == 1) {
                        ++measuredOk;
                        local.push_back(ms);
                    }
                } else {
                    ++failed;
                    if (status == 0) {
                        ::close(fd);
                        fd = connectTo(port);
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
    const long long rowsBefore = before.value(QStringLiteral("db")).toObject().value(QStringLiteral("logs")).toInteger();
    const qint64 commitsBefore = before.value(QStringLiteral("db")).toObject().value(QStringLiteral("commits")).toInteger();
    const long okBefore = ok;
    phase = 1;
    const auto t0 = Clock::now();
    long peakRssKb = 0;
    qint64 walBytes = 0;
    while (Clock::now() - t0 < std::chrono::seconds(o.durationS)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        peakRssKb = std::max(peakRssKb, readProcKb(pid, "VmRSS:"));
        walBytes = std::max<qint64>(walBytes, QFileInfo(db + QStringLiteral("-wal")).size());
    }
    const QJsonObject after = getJson(port, "/api/health");
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    phase = 2;
    for (auto &t : threads)
        t.join();
    const long long rowsAfter = after.value(QStringLiteral("db")).toObject().value(QStringLiteral("logs")).toInteger();
    const qint64 commitsAfter = after.value(QStringLiteral("db")).toObject().value(QStringLiteral("commits")).toInteger();
    const long hwm = readProcKb(pid, "VmHWM:");
    const QJsonObject analysis = getJson(port, "/api/health").value(QStringLiteral("analysis")).toObject();
    const long acked = ok - okBefore;
    server.terminate();
    server.waitForFinished(60000);
    const long long rowsOnDisk = countRows(db);

    std::printf("\nresults over %.1f s:\n", secs);
    std::printf("  stored events/s       %.0f (rows added to the database during the window)\n",
                double(rowsAfter - rowsBefore) / secs);
    std::printf("  acknowledged events/s %.0f\n", double(acked) * o.batch / secs);
    std::printf("  requests/s            %.1f\n", double(acked) / secs);
    std::printf("  commits/s             %.1f (group commit: fewer commits than requests)\n",
                double(commitsAfter - commitsBefore) / secs);
    std::printf("  ack latency p50       %.2f ms\n", percentile(latencies, 0.50));
    std::printf("  ack latency p99       %.2f ms\n", percentile(latencies, 0.99));
    std::printf("  peak RSS              %.1f MB (VmHWM %.1f MB)\n", peakRssKb / 1024.0, hwm / 1024.0);
    std::printf("  WAL size (max seen)   %.1f MB\n", double(walBytes) / 1048576.0);
    std::printf("  failed requests       %ld\n", long(failed));
    std::printf("  analysed events       %lld (dropped by analysis: %lld)\n",
                analysis.value(QStringLiteral("events")).toInteger(), analysis.value(QStringLiteral("dropped")).toInteger());
    std::printf("  rows on disk at end   %lld (acknowledged in total: %ld)\n", rowsOnDisk, long(ok) * o.batch);
    return rowsOnDisk >= long(ok) * o.batch ? 0 : 1;
}
