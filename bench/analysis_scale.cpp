// Analysis at scale: starts `flowguard --headless` on a temporary database, sends days of history for many
// services (native JSON, oldest first, over N keep-alive connections, as fast as ingest takes it), waits
// until analysis has caught up, then sends live traffic; restarts FlowGuard on the same database and sends
// live traffic again. Prints what issue 14 asks for: events lost to analysis, idle and peak RSS, ingest
// rate, /api/health answer times throughout, KPI minutes stored for every service-minute with events, and
// alerts fired after the restart (warm-up alerts). Loopback only; every phase bounded in count and time.
//
//   analysis_scale --flowguard build/app/flowguard --services 1000 --days 7 --events 5000000 --live-seconds 120

#include <unistd.h>

#include "benchhttp.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <set>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "store/sqlitestorereader.h"

namespace {

using namespace fgbench;
using Clock = std::chrono::steady_clock;

struct Options {
    QString flowguard = QStringLiteral("build/app/flowguard");
    QString dir;
    int services = 1000;
    int routes = 3;
    double days = 7;
    long long events = 5'000'000;
    int connections = 4;
    int batch = 1000;
    int liveSeconds = 120;
    int liveRate = 2000; // events/s across all services
    int idleSeconds = 15;
    int catchUpTimeoutS = 1800;
    int restartSeconds = 60;
};

long long nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// One request of `n` ~380-byte events with times spread evenly over [fromMs, toMs), services and routes at
// random. Each service has its own latency level so that baselines differ; 0.5 % of requests fail.
std::string makeRequest(std::mt19937 &rng, const Options &o, int n, long long fromMs, long long toMs)
{
    static const char *verbs[] = {"GET", "POST", "PUT"};
    std::string body = "[";
    body.reserve(std::size_t(n) * 400 + 2);
    char buf[1024];
    std::lognormal_distribution<double> noise(0, 0.35);
    for (int i = 0; i < n; ++i) {
        const int service = int(rng() % unsigned(o.services));
        const int route = int(rng() % unsigned(o.routes));
        const long long ts = fromMs + (toMs - fromMs) * i / n;
        const bool failed = rng() % 1000 < 5;
        const double latency = (20 + service % 50 + route * 7) * noise(rng);
        std::snprintf(buf, sizeof buf,
                      "%s{\"service\":\"svc-%04d\",\"ts\":%lld,\"level\":\"%s\",\"message\":\"%s /api/r%d/{id} completed "
                      "status=%d latency=%.1fms user_id=u%06u request_id=%08x%08x pool=main\",\"latency_ms\":%.1f,"
                      "\"status_code\":%d,\"endpoint\":\"/api/r%d/{id}\",\"method\":\"%s\",\"trace_id\":\"%08x%08x%08x%08x\","
                      "\"attributes\":{\"host\":\"web-%u\",\"region\":\"eu-west-1\"}}",
                      i ? "," : "", service, ts, failed ? "ERROR" : "INFO", verbs[route % 3], route, failed ? 503 : 200,
                      latency, unsigned(rng() % 1000000), unsigned(rng()), unsigned(rng()), latency, failed ? 503 : 200,
                      route, verbs[route % 3], unsigned(rng()), unsigned(rng()), unsigned(rng()), unsigned(rng()),
                      unsigned(rng() % 16));
        body += buf;
    }
    body += "]";
    return "POST /api/ingest/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
           + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Samples RSS and times /api/health on a fresh connection every 250 ms while a phase runs.
class Monitor {
public:
    Monitor(int port, qint64 pid) : m_port(port), m_pid(pid), m_thread([this] { run(); }) {}
    ~Monitor()
    {
        m_stop = true;
        m_thread.join();
    }
    long peakRssKb() const { return m_peakKb; }
    std::vector<double> healthMs()
    {
        std::lock_guard lock(m_mutex);
        return m_healthMs;
    }
    long healthFailures() const { return m_failures; }

private:
    void run()
    {
        while (!m_stop) {
            m_peakKb = std::max(m_peakKb.load(), readProcKb(m_pid, "VmRSS:"));
            const auto t0 = Clock::now();
            const bool ok = !getJson(m_port, "/api/health").isEmpty();
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
            {
                std::lock_guard lock(m_mutex);
                m_healthMs.push_back(ms);
            }
            m_failures += ok ? 0 : 1;
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    }
    int m_port;
    qint64 m_pid;
    std::atomic<bool> m_stop{false};
    std::atomic<long> m_peakKb{0};
    std::atomic<long> m_failures{0};
    std::mutex m_mutex;
    std::vector<double> m_healthMs;
    std::thread m_thread;
};

struct Server {
    QProcess process;
    int port = 0;
    qint64 pid = 0;
    bool start(const Options &o, const QString &db)
    {
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process.start(o.flowguard, {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                    QStringLiteral("--db"), db, QStringLiteral("--retention"), QStringLiteral("off")});
        if (!process.waitForStarted() || !process.waitForReadyRead(60000))
            return false;
        const QByteArray line = process.readLine().trimmed();
        port = line.mid(line.lastIndexOf(':') + 1).toInt();
        pid = process.processId();
        return port > 0;
    }
    void stop()
    {
        process.terminate();
        if (!process.waitForFinished(120000))
            process.kill();
    }
};

// Sends requests from `next()` over `connections` keep-alive connections until it returns an empty string
// or the deadline passes; the number of events acknowledged (202) and of failed requests.
template <typename Next>
std::pair<long long, long> drive(int port, int connections, int batch, Clock::time_point deadline, Next next)
{
    std::atomic<long long> acked{0};
    std::atomic<long> failed{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
        threads.emplace_back([&, c] {
            int fd = connectTo(port);
            std::string buf;
            for (;;) {
                const std::string request = next(c);
                if (request.empty() || Clock::now() > deadline)
                    break;
                const int status = fd >= 0 && sendAll(fd, request) ? readResponse(fd, buf) : 0;
                if (status == 202) {
                    acked += batch;
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
        });
    }
    for (auto &t : threads)
        t.join();
    return {acked.load(), failed.load()};
}

// Live traffic: `rate` events/s with current times, one request per connection per second.
std::pair<long long, long> live(const Options &o, int port, int seconds, unsigned seed)
{
    const int perRequest = std::max(1, o.liveRate / o.connections);
    const auto start = Clock::now();
    std::vector<int> sentSeconds(std::size_t(o.connections), 0);
    std::vector<std::mt19937> rngs;
    for (int c = 0; c < o.connections; ++c)
        rngs.emplace_back(seed + unsigned(c));
    return drive(port, o.connections, perRequest, start + std::chrono::seconds(seconds + 5), [&](int c) {
        int &second = sentSeconds[std::size_t(c)];
        if (second >= seconds)
            return std::string();
        std::this_thread::sleep_until(start + std::chrono::seconds(second));
        ++second;
        const long long now = nowMs();
        return makeRequest(rngs[std::size_t(c)], o, perRequest, now - 1000, now);
    });
}

QJsonObject analysisHealth(int port) { return getJson(port, "/api/health").value(QStringLiteral("analysis")).toObject(); }

// What of the RSS is detector state, by the engine's own count.
void printDetectors(int port)
{
    const QJsonObject a = analysisHealth(port);
    std::printf("    of which detectors      %.1f MB (%lld detectors)\n",
                double(a.value(QStringLiteral("detector_bytes")).toInteger()) / (1024.0 * 1024.0),
                a.value(QStringLiteral("detectors")).toInteger());
}

// Waits until analysis has read every committed row; seconds taken, or -1 on timeout.
double waitCaughtUp(int port, int timeoutS)
{
    const auto t0 = Clock::now();
    while (Clock::now() - t0 < std::chrono::seconds(timeoutS)) {
        const QJsonObject a = analysisHealth(port);
        if (!a.isEmpty() && a.value(QStringLiteral("lag_events")).toInteger() == 0
            && !a.value(QStringLiteral("catching_up")).toBool() && !a.value(QStringLiteral("warming")).toBool())
            return std::chrono::duration<double>(Clock::now() - t0).count();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return -1;
}

long long queryInt(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = nullptr;
    long long n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

void printHealth(const char *phase, std::vector<double> ms, long failures)
{
    std::printf("  /api/health during %-9s p50 %.1f ms, p99 %.1f ms, max %.1f ms over %zu probes (%ld failed)\n", phase,
                percentile(ms, 0.5), percentile(ms, 0.99), ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()),
                ms.size(), failures);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // progress as it happens, also into a file
    Options o;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        const QString &k = args[i], &v = args[i + 1];
        if (k == QLatin1String("--flowguard"))
            o.flowguard = v;
        else if (k == QLatin1String("--dir"))
            o.dir = v;
        else if (k == QLatin1String("--services"))
            o.services = std::clamp(v.toInt(), 1, 10000);
        else if (k == QLatin1String("--routes"))
            o.routes = std::clamp(v.toInt(), 1, 50);
        else if (k == QLatin1String("--days"))
            o.days = std::clamp(v.toDouble(), 0.01, 30.0);
        else if (k == QLatin1String("--events"))
            o.events = std::clamp(v.toLongLong(), 1000LL, 100'000'000LL);
        else if (k == QLatin1String("--connections"))
            o.connections = std::clamp(v.toInt(), 1, 64);
        else if (k == QLatin1String("--live-seconds"))
            o.liveSeconds = std::clamp(v.toInt(), 0, 7200);
        else if (k == QLatin1String("--live-rate"))
            o.liveRate = std::clamp(v.toInt(), 1, 200000);
        else if (k == QLatin1String("--idle-seconds"))
            o.idleSeconds = std::clamp(v.toInt(), 1, 600);
        else if (k == QLatin1String("--restart-seconds"))
            o.restartSeconds = std::clamp(v.toInt(), 0, 3600);
        else {
            std::fprintf(stderr, "unknown option %s\n", qPrintable(k));
            return 2;
        }
    }
    QTemporaryDir dir(o.dir.isEmpty() ? QDir::tempPath() + QStringLiteral("/flowguard-scale-XXXXXX")
                                      : o.dir + QStringLiteral("/flowguard-scale-XXXXXX"));
    const QString db = dir.filePath(QStringLiteral("scale.db"));
    Server server;
    if (!server.start(o, db)) {
        std::fprintf(stderr, "flowguard did not start\n");
        return 1;
    }
    std::printf("%d services x %d routes, %lld events over %.1f days, %d connections, batches of %d\n", o.services,
                o.routes, o.events, o.days, o.connections, o.batch);

    // History, oldest first: request k covers the k-th slice of the period, so the connections together
    // move forward in time as a backfill would.
    const long long slices = std::max(1LL, o.events / o.batch);
    const long long endMs = nowMs() - 120'000;
    const long long spanMs = (long long)(o.days * 86'400'000.0);
    const long long startMs = endMs - spanMs;
    std::atomic<long long> nextSlice{0};
    std::vector<std::mt19937> rngs;
    for (int c = 0; c < o.connections; ++c)
        rngs.emplace_back(1000u + unsigned(c));
    long peakKb = 0;
    std::vector<double> healthMs;
    long healthFailures = 0;
    std::pair<long long, long> history;
    double ingestS = 0;
    {
        Monitor monitor(server.port, server.pid);
        const auto t0 = Clock::now();
        history = drive(server.port, o.connections, o.batch, t0 + std::chrono::seconds(3600), [&](int c) {
            const long long k = nextSlice++;
            if (k >= slices)
                return std::string();
            return makeRequest(rngs[std::size_t(c)], o, o.batch, startMs + spanMs * k / slices,
                               startMs + spanMs * (k + 1) / slices);
        });
        ingestS = std::chrono::duration<double>(Clock::now() - t0).count();
        std::printf("\nhistory: %lld events acknowledged in %.1f s (%.0f events/s), %ld failed requests\n", history.first,
                    ingestS, double(history.first) / ingestS, history.second);
        const double caughtUp = waitCaughtUp(server.port, o.catchUpTimeoutS);
        std::printf("  analysis caught up %.1f s after the last acknowledgement%s\n", caughtUp,
                    caughtUp < 0 ? " (TIMED OUT)" : "");
        peakKb = monitor.peakRssKb();
        healthMs = monitor.healthMs();
        healthFailures = monitor.healthFailures();
        printHealth("history", healthMs, healthFailures);
    }
    std::printf("  peak RSS during history   %.1f MB\n", peakKb / 1024.0);
    std::this_thread::sleep_for(std::chrono::seconds(o.idleSeconds));
    std::printf("  idle RSS after history    %.1f MB (%d s after catching up)\n",
                readProcKb(server.pid, "VmRSS:") / 1024.0, o.idleSeconds);
    printDetectors(server.port);

    if (o.liveSeconds > 0) {
        Monitor monitor(server.port, server.pid);
        const auto sent = live(o, server.port, o.liveSeconds, 7);
        std::printf("\nlive: %lld events acknowledged over %d s at %d events/s asked, %ld failed requests\n", sent.first,
                    o.liveSeconds, o.liveRate, sent.second);
        waitCaughtUp(server.port, 120);
        printHealth("live", monitor.healthMs(), monitor.healthFailures());
        std::printf("  peak RSS during live      %.1f MB\n", monitor.peakRssKb() / 1024.0);
        std::this_thread::sleep_for(std::chrono::seconds(o.idleSeconds));
        std::printf("  idle RSS after live       %.1f MB\n", readProcKb(server.pid, "VmRSS:") / 1024.0);
        printDetectors(server.port);
    }
    const QJsonObject a = analysisHealth(server.port);
    const long hwmKb = readProcKb(server.pid, "VmHWM:");
    server.stop();
    std::printf("\nanalysis: %lld events analysed, %lld dropped, %lld read back from the store; overflow: services %lld, "
                "endpoints %lld, route detectors %lld\n",
                a.value(QStringLiteral("events")).toInteger(), a.value(QStringLiteral("dropped")).toInteger(),
                a.value(QStringLiteral("events_from_store")).toInteger(),
                a.value(QStringLiteral("overflow_services")).toInteger(),
                a.value(QStringLiteral("overflow_endpoints")).toInteger(),
                a.value(QStringLiteral("overflow_route_detectors")).toInteger());
    std::printf("peak RSS (VmHWM) of the first run: %.1f MB\n", hwmKb / 1024.0);

    sqlite3 *h = nullptr;
    if (sqlite3_open_v2(db.toUtf8().constData(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
        // Events are in log chunks and staged rows: read through the store's reader, in commit order.
        long long rows = 0;
        std::set<std::pair<std::string, long long>> minutes;
        {
            fg::SqliteStoreReader reader(db.toStdString());
            std::int64_t after = 0;
            for (;;) {
                const auto page = reader.logsInCommitOrder(after, std::numeric_limits<std::int64_t>::max(), 50'000);
                if (page.empty())
                    break;
                for (const fg::StoredLog &row : page)
                    minutes.emplace(row.record.service, row.record.ts / 60'000'000'000LL);
                rows += static_cast<long long>(page.size());
                after = page.back().id;
            }
        }
        const long long serviceMinutes = static_cast<long long>(minutes.size());
        const long long kpiMinutes = queryInt(h, "SELECT count(*) FROM kpi_rollups WHERE endpoint = ''");
        std::printf("stored: %lld events; service-minutes with events %lld, service KPI minutes %lld (%.2f %%)\n", rows,
                    serviceMinutes, kpiMinutes, serviceMinutes > 0 ? 100.0 * double(kpiMinutes) / double(serviceMinutes) : 0.0);
    }
    sqlite3_close(h);

    if (o.restartSeconds > 0) {
        const long long restartedMs = nowMs();
        const auto t0 = Clock::now();
        if (!server.start(o, db)) {
            std::fprintf(stderr, "flowguard did not restart\n");
            return 1;
        }
        const double listening = std::chrono::duration<double>(Clock::now() - t0).count();
        Monitor monitor(server.port, server.pid);
        const double warmed = waitCaughtUp(server.port, 300);
        const QJsonObject warm = analysisHealth(server.port);
        std::printf("\nrestart: listening after %.1f s, detectors warm after %.1f s more (%lld warmed)\n", listening,
                    warmed, warm.value(QStringLiteral("warmed_detectors")).toInteger());
        live(o, server.port, o.restartSeconds, 99);
        waitCaughtUp(server.port, 120);
        printHealth("restart", monitor.healthMs(), monitor.healthFailures());
        std::printf("  RSS after restart + %d s live   %.1f MB (peak %.1f MB)\n", o.restartSeconds,
                    readProcKb(server.pid, "VmRSS:") / 1024.0, monitor.peakRssKb() / 1024.0);
        server.stop();
        if (sqlite3_open_v2(db.toUtf8().constData(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
            const std::string sql = "SELECT count(*) FROM alerts WHERE fired_at >= " + std::to_string(restartedMs * 1'000'000)
                                    + " AND test = 0";
            std::printf("  alerts fired after the restart (steady traffic: warm-up alerts) %lld\n", queryInt(h, sql.c_str()));
        }
        sqlite3_close(h);
    }
    return 0;
}
