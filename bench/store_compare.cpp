// Log store benchmark (issue 12): one command for the store's numbers next to their goals.
//   1. Ingest: runs ingest_load (next to this binary) against flowguard --headless, analysis on, at 4 and
//      16 connections: events/s, ack p99, RSS, bytes on disk per event after the closing checkpoint.
//   2. Queries: writes --events log events of --services services over --days days straight through the
//      store writer (1000 per job, 16 jobs in flight), checkpoints, then times the queries the API serves
//      and the retention of one day.
//
//   store_compare [--flowguard build/app/flowguard] [--ingest-seconds 20] [--events 10000000]
//                 [--services 50] [--days 7] [--dir /tmp]
// Bounded: the ingest runs last --ingest-seconds each, the data set is written once, each query runs 5 times.

#include <sys/resource.h>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <random>
#include <thread>
#include <string>
#include <vector>

#include "store/sqlitedb.h"
#include "store/sqlitestorereader.h"
#include "store/sqlitestorewriter.h"

using namespace fg;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    QString flowguard = QStringLiteral("build/app/flowguard");
    int ingestSeconds = 20;
    long long events = 10'000'000;
    int services = 50;
    int days = 7;
    QString dir;
};

const char *const kRoutes[] = {"/api/login", "/api/cart/{id}", "/api/search", "/api/orders/{id}", "/api/pay", "/api/items"};
const char *const kMethods[] = {"GET", "POST", "PUT"};
const char *const kUpstreams[] = {"db-primary", "db-replica", "cache", "search-index"};

std::string hex(std::mt19937_64 &rng, int digits)
{
    static const char *d = "0123456789abcdef";
    std::string s(std::size_t(digits), '0');
    for (char &c : s)
        c = d[rng() & 15];
    return s;
}

// ~380-byte events like the corpus: a templated message with variable ids, attributes, a trace id
// shared by a few events. One in 2000 messages says "upstream connect timeout" (the rare search term).
LogRecord makeEvent(std::mt19937_64 &rng, int services, TimeNs ts, std::string &trace)
{
    LogRecord r;
    r.ts = ts;
    r.received = ts;
    r.service = "service-" + std::to_string(rng() % unsigned(services));
    const unsigned roll = unsigned(rng() % 1000);
    r.level = roll < 20 ? Level::Error : roll < 70 ? Level::Warn : Level::Info;
    const char *route = kRoutes[rng() % 6];
    const char *method = kMethods[rng() % 3];
    r.statusCode = r.level == Level::Error ? 500 + int(rng() % 4) : 200;
    r.latencyMs = double(rng() % 200000) / 100;
    char buf[400];
    if (rng() % 2000 == 0)
        std::snprintf(buf, sizeof buf, "%s %s failed: upstream connect timeout after %.1fms host=web-%d", method, route,
                      r.latencyMs, int(rng() % 40));
    else
        std::snprintf(buf, sizeof buf,
                      "%s %s completed status=%d latency=%.2fms user_id=u%06u request_id=%s upstream=%s pool=main "
                      "retries=%d region=eu-west-1 version=1.4.%d host=web-%d",
                      method, route, r.statusCode, r.latencyMs, unsigned(rng() % 1000000), hex(rng, 8).c_str(),
                      kUpstreams[rng() % 4], int(rng() % 3), int(rng() % 9), int(rng() % 40));
    r.message = buf;
    r.endpoint = route;
    r.method = method;
    if (trace.empty() || rng() % 4 == 0)
        trace = hex(rng, 32);
    r.traceId = trace;
    r.spanId = hex(rng, 16);
    std::snprintf(buf, sizeof buf, "{\"host\":\"web-%d\",\"region\":\"eu-west-1\",\"pod\":\"api-%s\",\"bytes\":%d}",
                  int(rng() % 40), hex(rng, 5).c_str(), int(rng() % 100000));
    r.attributes = buf;
    return r;
}

long rssKb()
{
    struct rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

// Median of five runs, in ms.
template <typename F>
double timeMs(F f, std::size_t *rows = nullptr)
{
    std::vector<double> ms;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = Clock::now();
        const std::size_t n = f();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (rows)
            *rows = n;
    }
    std::sort(ms.begin(), ms.end());
    return ms[2];
}

void runIngest(const Options &o, int connections)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedChannels);
    const QString load = QCoreApplication::applicationDirPath() + QStringLiteral("/ingest_load");
    std::printf("\n== ingest: %d connections, %d s (ingest_load, analysis on, ack after commit) ==\n", connections,
                o.ingestSeconds);
    std::fflush(stdout);
    p.start(load, {QStringLiteral("--flowguard"), o.flowguard, QStringLiteral("--connections"), QString::number(connections),
                   QStringLiteral("--duration"), QString::number(o.ingestSeconds), QStringLiteral("--warmup"),
                   QStringLiteral("3")});
    p.waitForFinished(-1);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        const QString k = args[i], v = args[i + 1];
        if (k == QStringLiteral("--flowguard"))
            o.flowguard = v;
        else if (k == QStringLiteral("--ingest-seconds"))
            o.ingestSeconds = v.toInt();
        else if (k == QStringLiteral("--events"))
            o.events = std::clamp(v.toLongLong(), 10'000LL, 50'000'000LL);
        else if (k == QStringLiteral("--services"))
            o.services = std::clamp(v.toInt(), 1, 1000);
        else if (k == QStringLiteral("--days"))
            o.days = std::clamp(v.toInt(), 2, 90);
        else if (k == QStringLiteral("--dir"))
            o.dir = v;
        else {
            std::fprintf(stderr, "unknown option %s\n", qPrintable(k));
            return 2;
        }
    }
    if (o.ingestSeconds > 0) {
        runIngest(o, 4);
        runIngest(o, 16);
    }

    QTemporaryDir dir(o.dir.isEmpty() ? QDir::tempPath() + QStringLiteral("/store_compare-XXXXXX")
                                      : o.dir + QStringLiteral("/store_compare-XXXXXX"));
    const std::string path = (dir.path() + QStringLiteral("/bench.db")).toStdString();
    const TimeNs end = (nowNs() / kNsPerSec) * kNsPerSec;
    const TimeNs start = end - TimeNs(o.days) * 86400 * kNsPerSec;
    const TimeNs step = (end - start) / o.events;
    std::printf("\n== queries: %lld events, %d services, %d days ==\n", o.events, o.services, o.days);
    std::fflush(stdout);
    TimeNs clock = end;
    StoreOptions so;
    so.path = path;
    so.retentionSeconds = 0; // set below, for the retention run
    so.clock = [&clock] { return clock; };
    std::string traceOfInterest;
    {
        SqliteStoreWriter writer(so);
        std::string err;
        if (!writer.start(&err)) {
            std::fprintf(stderr, "%s\n", err.c_str());
            return 1;
        }
        std::mt19937_64 rng(12);
        std::string trace;
        const auto t0 = Clock::now();
        constexpr int kPerJob = 1000, kInFlight = 16;
        long long written = 0;
        TimeNs ts = start;
        while (written < o.events) {
            std::vector<std::future<void>> done;
            for (int j = 0; j < kInFlight && written < o.events; ++j) {
                auto job = std::make_unique<WriteJob>();
                for (int i = 0; i < kPerJob && written < o.events; ++i, ++written) {
                    job->batch.logs.push_back(makeEvent(rng, o.services, ts += step, trace));
                    if (written == o.events - o.events / 20) // a trace from a day or so ago
                        traceOfInterest = trace;
                }
                auto p = std::make_shared<std::promise<void>>();
                done.push_back(p->get_future());
                job->done = [p](const WriteOutcome &) { p->set_value(); };
                writer.submit(std::move(job));
            }
            for (auto &f : done)
                f.wait();
        }
        const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        clock = end + 3600 * kNsPerSec; // every staged row due for sealing
        writer.runMaintenanceNow();
        std::printf("  written                %lld events in %.1f s (%.0f events/s through the writer alone, generation included)\n",
                    written, secs, double(written) / secs);
        // Small chunks are merged while the writer is idle: the queries run on what a user's database holds
        // a little after such a burst (bounded wait).
        const auto idle = Clock::now();
        qint64 walMax = 0;
        while (writer.stats().compactionPending && Clock::now() - idle < std::chrono::minutes(5)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
            walMax = std::max(walMax, QFileInfo(QString::fromStdString(path + "-wal")).size());
        }
        std::printf("  compaction             %lld small chunks merged in %.1f s after the writes%s, WAL at most %.0f MB\n",
                    static_cast<long long>(writer.stats().chunksMerged), std::chrono::duration<double>(Clock::now() - idle).count(),
                    writer.stats().compactionPending ? " (still going: not waited for)" : "", double(walMax) / 1048576.0);
    } // stopping the writer checkpoints and truncates the WAL
    const double bytesPerEvent = double(QFileInfo(QString::fromStdString(path)).size()) / double(o.events);
    std::printf("  bytes on disk / event  %.1f (database after checkpoint, %.0f MB)\n", bytesPerEvent,
                double(QFileInfo(QString::fromStdString(path)).size()) / 1048576.0);

    {
        // Where the bytes go: per event, by column of the log chunks, and the pages SQLite keeps free.
        SqliteDb db(path, SqliteDb::Mode::ReadOnly);
        Statement st(db.handle(), "SELECT count(*), sum(length(keys)), sum(length(fields)), sum(length(messages)),"
                                  " sum(length(attributes)), sum(length(text_bloom)), (SELECT coalesce(sum(length(bloom)), 0) FROM log_chunk_keys)"
                                  " + (SELECT coalesce(sum(length(chunks)), 0) FROM log_key_groups)"
                                  " + (SELECT coalesce(sum(length(slices)), 0) FROM log_key_slices),"
                                  " sum(count) FROM log_chunks");
        if (st.step()) {
            const double n = std::max(1.0, double(st.int64(7)));
            std::printf("  per event by block     keys %.1f, fields %.1f, messages %.1f, attributes %.1f, text filter %.1f,"
                        " trace filter %.1f (%lld chunks, %.0f events each)\n",
                        double(st.int64(1)) / n, double(st.int64(2)) / n, double(st.int64(3)) / n, double(st.int64(4)) / n,
                        double(st.int64(5)) / n, double(st.int64(6)) / n, static_cast<long long>(st.int64(0)),
                        n / std::max<double>(1, double(st.int64(0))));
        }
        st.reset();
        std::printf("  free pages             %.1f MB; signal ids and staging rows: %lld, %lld\n",
                    double(db.queryInt("PRAGMA freelist_count") * db.queryInt("PRAGMA page_size")) / 1048576.0,
                    static_cast<long long>(db.queryInt("SELECT count(*) FROM signal_ids")),
                    static_cast<long long>(db.queryInt("SELECT count(*) FROM logs")));
    }
    SqliteStoreReader reader(path);
    std::size_t rows = 0;
    LogQuery newest;
    newest.service = "service-7";
    newest.window = {end - 3600 * kNsPerSec, end, std::nullopt, 100};
    const double qNewest = timeMs([&] { return reader.logs(newest).items.size(); }, &rows);
    std::printf("  newest 100, one service, last hour      %8.1f ms (%zu rows)\n", qNewest, rows);
    LogQuery errors;
    errors.minLevel = Level::Error;
    errors.window = {end - 86400 * kNsPerSec, end, std::nullopt, 100};
    const double qErrors = timeMs([&] { return reader.logs(errors).items.size(); }, &rows);
    std::printf("  level >= error, 24 h, first page        %8.1f ms (%zu rows)\n", qErrors, rows);
    LogQuery searchOne;
    searchOne.service = "service-7";
    searchOne.contains = "upstream connect timeout";
    searchOne.window = {end - 86400 * kNsPerSec, end, std::nullopt, 100};
    const double qSearchOne = timeMs([&] { return reader.logs(searchOne).items.size(); }, &rows);
    std::printf("  q= rare substring, 24 h, one service    %8.1f ms (%zu rows)\n", qSearchOne, rows);
    LogQuery searchAll = searchOne;
    searchAll.service.clear();
    const double qSearchAll = timeMs([&] { return reader.logs(searchAll).items.size(); }, &rows);
    std::printf("  q= rare substring, 24 h, all services   %8.1f ms (%zu rows)\n", qSearchAll, rows);
    LogQuery absent = searchAll;
    absent.contains = "no such text in any message";
    const double qAbsent = timeMs([&] { return reader.logs(absent).items.size(); }, &rows);
    std::printf("  q= absent substring, 24 h, all services %8.1f ms (%zu rows)\n", qAbsent, rows);
    LogQuery trace;
    trace.traceId = traceOfInterest;
    trace.window = {0, kMaxTimeNs, std::nullopt, 10000};
    const double qTrace = timeMs([&] { return reader.logs(trace).items.size(); }, &rows);
    std::printf("  trace id lookup, all time               %8.1f ms (%zu rows)\n", qTrace, rows);

    double retentionMs = 0;
    long long deleted = 0;
    {
        so.retentionSeconds = TimeNs(o.days - 1) * 86400; // the oldest day expires
        clock = end;
        SqliteStoreWriter writer(so);
        writer.start(nullptr);
        writer.runMaintenanceNow(); // the start's own pass; retention is timed on a fresh cutoff below
        const long long before = writer.stats().retentionDeleted;
        clock = end + 86400 * kNsPerSec; // one more day expires
        const auto t0 = Clock::now();
        writer.runMaintenanceNow();
        retentionMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        deleted = writer.stats().retentionDeleted - before;
    }
    std::printf("  retention of one day                    %8.1f ms (%lld events deleted)\n", retentionMs, deleted);
    std::printf("  peak RSS of this process                %8.1f MB\n", rssKb() / 1024.0);

    std::printf("\ngoals (issue 12): ingest >= 210000 events/s, ack p99 < 50 ms at 4 connections, RSS < 150 MB,\n"
                "  <= 50 bytes/event; newest 100 < 20 ms, errors 24 h < 50 ms, q= one service < 300 ms,\n"
                "  q= all services < 2000 ms, trace < 50 ms, retention of a day < 1000 ms\n");
    std::printf("measured: bytes/event %.1f, newest %.1f ms, errors %.1f ms, q one %.1f ms, q all %.1f ms, trace %.1f ms,"
                " retention %.0f ms\n",
                bytesPerEvent, qNewest, qErrors, qSearchOne, qSearchAll, qTrace, retentionMs);
    return 0;
}
