#include <QTest>

#include <algorithm>
#include <random>

#include "analysis/ddsketch.h"
#include "analysis/endpointnormalizer.h"
#include "analysis/healthscore.h"
#include "analysis/analysisworker.h"
#include "analysis/kpiaggregator.h"
#include "store/sqlitedb.h"
#include "store/sqlitestorereader.h"
#include "store/sqlitestorewriter.h"
#include "store/storewriter.h"

#include <QTemporaryDir>

using namespace fg;

namespace {
constexpr TimeNs kT0 = 1'704'110'400LL * kNsPerSec; // 12:00:00, minute-aligned
constexpr TimeNs kMin = 60 * kNsPerSec;

LogRecord request(TimeNs ts, int status, double latency, const std::string &endpoint = "/api/login",
                  const std::string &service = "auth")
{
    LogRecord r;
    r.service = service;
    r.ts = ts;
    r.received = ts;
    r.statusCode = status;
    r.latencyMs = latency;
    r.endpoint = endpoint;
    r.level = status >= 500 ? Level::Error : Level::Info;
    return r;
}

const KpiRollup *find(const std::vector<KpiRollup> &v, TimeNs start, const std::string &endpoint)
{
    for (const auto &k : v)
        if (k.start == start && k.endpoint == endpoint)
            return &k;
    return nullptr;
}
} // namespace

// Keeps what the analysis thread writes, for tests that look at it.
class RecordingStore final : public StoreWriter {
public:
    void submit(std::unique_ptr<WriteJob> job) override
    {
        std::lock_guard lock(mutex);
        rollups += job->rollups.size();
        if (job->done)
            job->done(WriteOutcome{true, 0, {}, false, {}});
    }
    void stop() override {}
    void runMaintenanceNow() override {}
    const StoreStats &stats() const override { return m_stats; }
    void setCommittedObserver(Committed) override {}
    std::mutex mutex;
    std::size_t rollups = 0;

private:
    StoreStats m_stats;
};

namespace {
// One request a minute on each route of "svc", from `fromMinutesAgo` to `toMinutesAgo`.
IngestBatch routeMinutes(std::initializer_list<const char *> routes, int fromMinutesAgo, int toMinutesAgo)
{
    IngestBatch batch;
    const TimeNs now = nowNs();
    for (int m = fromMinutesAgo; m >= toMinutesAgo; --m)
        for (const char *route : routes) {
            LogRecord r;
            r.ts = now - m * 60 * kNsPerSec;
            r.received = now;
            r.service = "svc";
            r.endpoint = route;
            r.statusCode = 200;
            r.latencyMs = 10;
            batch.logs.push_back(r);
        }
    return batch;
}
} // namespace

class TstKpis : public QObject {
    Q_OBJECT

private slots:
    void routeDetectorsAreCapped()
    {
        // Random routes cannot buy themselves detectors (and their memory) past the budget; services keep
        // theirs. The budget holds two fresh route detectors, and no route is idle to make room.
        RecordingStore store;
        AnalysisWorker worker(&store, {}, 500'000, 2 * DegradationDetector("svc", "/a").memoryBytes());
        worker.start();
        worker.enqueue(routeMinutes({"/a", "/b", "/c", "/d"}, 10, 0));
        QTRY_VERIFY(worker.stats().rollupsWritten > 0);
        QTRY_VERIFY(worker.stats().overflowRouteDetectors > 0);
        worker.stop();
        // Two routes are judged, two are not: every closed minute of /c and /d counts once.
        QCOMPARE(worker.stats().overflowRouteDetectors.load() % 2, std::int64_t(0));
        QCOMPARE(worker.stats().evictedRouteDetectors.load(), std::int64_t(0));
    }

    void idleRoutesAreLetGoForNewOnes()
    {
        // Routes quiet for over an hour of event time give their place to new ones, least recently used
        // first, instead of new routes going unjudged.
        RecordingStore store;
        AnalysisWorker worker(&store, {}, 500'000, 2 * DegradationDetector("svc", "/a").memoryBytes());
        worker.start();
        worker.enqueue(routeMinutes({"/a", "/b"}, 200, 190));
        worker.enqueue(routeMinutes({"/c", "/d"}, 100, 90));
        QTRY_VERIFY(worker.stats().evictedRouteDetectors.load() == 2);
        worker.stop();
        QCOMPARE(worker.stats().overflowRouteDetectors.load(), std::int64_t(0));
        QCOMPARE(worker.stats().rebuiltRouteDetectors.load(), std::int64_t(0)); // no store to relearn from
    }

    void backlogBeyondTheHandOffIsAnalysedFromTheStore()
    {
        // 60,000 events in 60 quick jobs through a 64 KB hand-off: most cannot be handed over, so they are
        // read back from the store in commit order. Every event ends up in the KPI minutes, none dropped;
        // and the position survives a restart so that nothing is counted twice or missed.
        QTemporaryDir dir;
        StoreOptions o;
        o.path = dir.filePath(QStringLiteral("backlog.db")).toStdString();
        o.retentionSeconds = 0;
        auto reader = [path = o.path] { return std::make_unique<SqliteStoreReader>(path); };
        constexpr int kJobs = 60, kPerJob = 1000;
        const TimeNs start = nowNs() - 4 * 60 * kMin;
        {
            SqliteStoreWriter writer(o);
            AnalysisWorker worker(&writer, {}, 64 * 1024, 100, reader);
            writer.setCommittedObserver([&worker](IngestBatch &&b) { worker.enqueue(std::move(b)); });
            std::string error;
            QVERIFY2(writer.start(&error), error.c_str());
            worker.resumeAfter(0, 0, 0, 0);
            worker.start();
            for (int j = 0; j < kJobs; ++j) {
                auto job = std::make_unique<WriteJob>();
                for (int i = 0; i < kPerJob; ++i)
                    job->batch.logs.push_back(request(start + (j * kPerJob + i) * 200'000'000LL, i % 50 ? 200 : 500, 20.0 + i % 7));
                writer.submit(std::move(job));
            }
            QTRY_VERIFY_WITH_TIMEOUT(worker.stats().logsThrough == kJobs * kPerJob, 30000);
            worker.stop();
            QCOMPARE(worker.stats().eventsDropped.load(), std::int64_t(0));
            QVERIFY(worker.stats().eventsFromStore > 0);
            QCOMPARE(worker.stats().eventsAnalysed.load(), std::int64_t(kJobs * kPerJob));
            writer.stop();
        }
        SqliteDb db(o.path, SqliteDb::Mode::ReadOnly);
        QCOMPARE(db.queryInt("SELECT sum(events) FROM kpi_rollups WHERE endpoint=''"), std::int64_t(kJobs * kPerJob));
        QCOMPARE(db.queryInt("SELECT json_extract(value, '$.logs') FROM settings WHERE key='analysis_position'"),
                 std::int64_t(kJobs * kPerJob));
    }

    void sketchWithinOnePercentOfExactQuantiles_data()
    {
        QTest::addColumn<int>("distribution");
        QTest::newRow("lognormal latencies") << 0;
        QTest::newRow("uniform 1..1000 ms") << 1;
        QTest::newRow("bimodal cache hit/miss") << 2;
    }
    void sketchWithinOnePercentOfExactQuantiles()
    {
        QFETCH(int, distribution);
        std::mt19937_64 rng(11);
        std::lognormal_distribution<double> logn(4.0, 1.2);
        std::uniform_real_distribution<double> uni(1.0, 1000.0);
        std::normal_distribution<double> fast(2.0, 0.3), slow(400.0, 60.0);
        DDSketch sketch(0.01);
        std::vector<double> values;
        for (int i = 0; i < 100000; ++i) {
            double v = distribution == 0 ? logn(rng) : distribution == 1 ? uni(rng) : (i % 10 ? fast(rng) : slow(rng));
            v = std::max(v, 0.01);
            values.push_back(v);
            sketch.add(v);
        }
        std::sort(values.begin(), values.end());
        for (double q : {0.5, 0.9, 0.95, 0.99, 0.999}) {
            const double exact = values[std::size_t(q * double(values.size() - 1))];
            const double got = sketch.quantile(q);
            QVERIFY2(std::abs(got - exact) <= 0.01 * exact + 1e-9,
                     qPrintable(QStringLiteral("q=%1 exact=%2 sketch=%3").arg(q).arg(exact).arg(got)));
        }
        QCOMPARE(sketch.count(), quint64(values.size()));
        QCOMPARE(sketch.min(), values.front());
        QCOMPARE(sketch.max(), values.back());
    }

    void sketchMergesAndRoundTrips()
    {
        DDSketch a, b, all;
        for (int i = 1; i <= 1000; ++i) {
            (i % 2 ? a : b).add(i);
            all.add(i);
        }
        a.merge(b);
        for (double q : {0.1, 0.5, 0.99})
            QCOMPARE(a.quantile(q), all.quantile(q));
        const DDSketch back = DDSketch::fromBytes(a.toBytes());
        QCOMPARE(back.count(), a.count());
        QCOMPARE(back.sum(), a.sum());
        QCOMPARE(back.quantile(0.95), a.quantile(0.95));
        QVERIFY(DDSketch::fromBytes("garbage").empty());
        QVERIFY(std::isnan(DDSketch().quantile(0.5)));
    }

    void sketchHandlesZerosAndExtremes()
    {
        DDSketch s;
        s.add(0, 50);
        s.add(1e9, 50);
        s.add(-5); // ignored
        s.add(NAN); // ignored
        QCOMPARE(s.count(), quint64(100));
        QCOMPARE(s.quantile(0.25), 0.0);
        QVERIFY(std::abs(s.quantile(0.9) - 1e9) <= 1e7);
    }

    void minutesCloseBehindTheWatermark()
    {
        KpiAggregator agg;
        // Minute 0: 100 requests, 5 errors, latencies 1..100 ms.
        for (int i = 0; i < 100; ++i)
            agg.add(request(kT0 + i * 500 * kNsPerMs, i < 5 ? 503 : 200, i + 1, "/users/" + std::to_string(i)));
        QVERIFY(agg.takeClosed(kT0 + 30 * kNsPerSec).empty()); // still open
        // Data 2 minutes later is not enough (lateness 2 min); 3 minutes later closes minute 0.
        agg.add(request(kT0 + 2 * kMin + 30 * kNsPerSec, 200, 10));
        QVERIFY(agg.takeClosed(kT0 + 2 * kMin + 31 * kNsPerSec).empty());
        agg.add(request(kT0 + 3 * kMin, 200, 10));
        const auto closed = agg.takeClosed(kT0 + 3 * kMin + kNsPerSec);
        const KpiRollup *svc = find(closed, kT0, "");
        QVERIFY(svc);
        QCOMPARE(svc->requests, quint64(100));
        QCOMPARE(svc->requestErrors, quint64(5));
        QCOMPARE(svc->errorRate(), 0.05);
        QVERIFY(std::abs(svc->latency.quantile(0.95) - 95) <= 1.0);
        const KpiRollup *route = find(closed, kT0, "/users/{id}");
        QVERIFY(route);
        QCOMPARE(route->requests, quint64(100));
        QVERIFY(!find(closed, kT0 + 2 * kMin, ""));
    }

    void lateEventsComeOutAsLateParts()
    {
        KpiAggregator agg;
        agg.add(request(kT0, 200, 5));
        agg.add(request(kT0 + 5 * kMin, 200, 5));
        QVERIFY(find(agg.takeClosed(kT0 + 5 * kMin), kT0, ""));
        agg.add(request(kT0 + 10 * kNsPerSec, 500, 50)); // minute 0 again: late
        const auto late = agg.takeClosed(kT0 + 5 * kMin);
        const KpiRollup *part = find(late, kT0, "");
        QVERIFY(part);
        QCOMPARE(part->requests, quint64(1));
        QCOMPARE(part->requestErrors, quint64(1));
    }

    void silentServiceClosesByWallClock()
    {
        KpiAggregator agg;
        agg.add(request(kT0, 200, 5));
        QVERIFY(agg.takeClosed(kT0 + kMin).empty());
        QVERIFY(find(agg.takeClosed(kT0 + 4 * kMin), kT0, ""));
    }

    void backfilledHistoryClosesByEventTime()
    {
        // An hour pushed in a moment, received "now": minutes close as event time advances.
        KpiAggregator agg;
        const TimeNs now = kT0 + 24 * 3600 * kNsPerSec;
        std::size_t closed = 0;
        for (int m = 0; m < 60; ++m) {
            LogRecord r = request(kT0 + m * kMin, 200, 10);
            r.received = now;
            agg.add(r);
            closed += agg.takeClosed(now).size();
        }
        // 60 minutes with one route each; the last three are still within the lateness allowance.
        QCOMPARE(closed, std::size_t(2 * 57));
    }

    void futureEventsDoNotRunTheWatermarkAhead()
    {
        KpiAggregator agg;
        agg.add(request(kT0, 200, 5));
        LogRecord future = request(kT0 + 3600 * kNsPerSec, 200, 5);
        future.received = kT0 + kNsPerSec;
        agg.add(future);
        QVERIFY(!find(agg.takeClosed(kT0 + kNsPerSec), kT0, ""));
    }

    void routeCapCountsOverflow()
    {
        KpiAggregator::Limits limits;
        limits.maxEndpointsPerService = 3;
        KpiAggregator agg(limits);
        for (const char *e : {"/a", "/b", "/c", "/d", "/e"})
            agg.add(request(kT0, 200, 1, e));
        QCOMPARE(agg.overflowEndpoints(), quint64(2));
        const auto all = agg.takeAll();
        QVERIFY(find(all, kT0, "{other}"));
        QCOMPARE(find(all, kT0, "{other}")->requests, quint64(2));
    }

    void healthScoreFormula()
    {
        auto rollup = [](double errorRate, double p95) {
            KpiRollup k;
            k.events = k.requests = 1000;
            k.requestErrors = std::uint64_t(errorRate * 1000);
            for (int i = 0; i < 1000; ++i)
                k.latency.add(p95 * (i < 940 ? 0.5 : 1.0)); // the top 6 % at p95
            return k;
        };
        HealthInputs in;
        in.recent = rollup(0, 200);
        in.baseline = rollup(0, 200);
        HealthScore h = computeHealth(in);
        QCOMPARE(h.status, std::string("healthy"));
        QCOMPARE(*h.score, 100.0);
        in.recent = rollup(0.02, 300); // 2 % errors (−10), p95 1.5× baseline (−15)
        h = computeHealth(in);
        QVERIFY(std::abs(*h.score - 75) <= 1.0);
        QCOMPARE(h.status, std::string("degraded"));
        in.openAnomalies = 1;
        in.worstAnomalyScore = 0.9; // −18
        h = computeHealth(in);
        QVERIFY(std::abs(*h.score - 57) <= 1.0);
        in.recent = rollup(0.2, 1000);
        QCOMPARE(computeHealth(in).status, std::string("critical"));
        QCOMPARE(*computeHealth(in).score, 2.0); // 100 − 50 (errors, capped) − 30 (latency, capped) − 18
        in.sloP95Ms = 100; // an SLO well below the p95 weighs in even with no baseline
        in.baseline.reset();
        in.recent = rollup(0, 150);
        in.openAnomalies = 0;
        QVERIFY(std::abs(*computeHealth(in).score - 85) <= 1.0);
        in.fresh = false; // silence is not health
        QCOMPARE(computeHealth(in).status, std::string("no_data"));
        QVERIFY(!computeHealth(in).score);
    }

    void endpoints_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("route");
        QTest::newRow("issue example") << "/users/123/orders/9f3a2c7e" << "/users/{id}/orders/{id}";
        QTest::newRow("query") << "/search?q=shoes&page=2" << "/search";
        QTest::newRow("uuid") << "/carts/3f2504e0-4f89-11d3-9a0c-0305e82c3301/items" << "/carts/{id}/items";
        QTest::newRow("words stay") << "/api/v1/health" << "/api/v1/health";
        QTest::newRow("token") << "/reset/AbC123xyZ987qwe456RTY" << "/reset/{id}";
        QTest::newRow("slashes") << "//api//login/" << "/api/login";
        QTest::newRow("root") << "/" << "/";
        QTest::newRow("short hex word") << "/cafe/bad" << "/cafe/bad";
    }
    void endpoints()
    {
        QFETCH(QString, path);
        QFETCH(QString, route);
        QCOMPARE(QString::fromStdString(normalizeEndpoint(path.toStdString())), route);
    }
};

QTEST_GUILESS_MAIN(TstKpis)
#include "tst_kpis.moc"
