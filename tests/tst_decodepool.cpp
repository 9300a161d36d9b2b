// The decode pool: a busy worker does not hold up tasks another worker can take, tasks of one order key
// run in order on one worker, a full queue refuses (and an ingest route answers that with 503 +
// Retry-After), and stopping runs what was queued.
#include <QTest>

#include <chrono>
#include <future>
#include <mutex>
#include <vector>

#include "analysis/tagger.h"
#include "api/ingeststats.h"
#include "api/ingestroute.h"
#include "api/nativedialect.h"
#include "ingest/decodepool.h"
#include "ingest/inflightbudget.h"
#include "ingest/nativelogdecoder.h"

using namespace fg;

namespace {

// A task that holds its worker until released.
struct Gate {
    std::promise<void> started;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    DecodePool::Task task()
    {
        return [this](int) {
            started.set_value();
            released.wait();
        };
    }
};

bool waitFor(std::future<void> &f) { return f.wait_for(std::chrono::seconds(10)) == std::future_status::ready; }

} // namespace

class TstDecodePool : public QObject {
    Q_OBJECT

private slots:
    void idleWorkerTakesTaskWhileOtherIsBusy()
    {
        Gate gate; // outlives the pool, whose worker waits on it
        DecodePool pool(2, 8);
        auto started = gate.started.get_future();
        QVERIFY(pool.tryRun(gate.task()));
        QVERIFY(waitFor(started));
        std::promise<int> ran;
        auto done = ran.get_future();
        QVERIFY(pool.tryRun([&ran](int worker) { ran.set_value(worker); }));
        QCOMPARE(done.wait_for(std::chrono::seconds(10)), std::future_status::ready); // not behind the gate
        gate.release.set_value();
    }

    void sameKeyRunsInOrderOnOneWorker()
    {
        std::mutex m;
        std::vector<std::pair<int, int>> runs; // (task, worker)
        {
            DecodePool pool(2, 256);
            for (int i = 0; i < 200; ++i)
                QVERIFY(pool.tryRun(
                    [&, i](int worker) {
                        const std::lock_guard lock(m);
                        runs.emplace_back(i, worker);
                    },
                    42));
        } // stop() runs everything queued
        QCOMPARE(runs.size(), std::size_t(200));
        for (int i = 0; i < 200; ++i) {
            QCOMPARE(runs[std::size_t(i)].first, i);
            QCOMPARE(runs[std::size_t(i)].second, runs.front().second);
        }
    }

    void fullQueueRefusesAndStopRunsWhatWasQueued()
    {
        Gate gate; // outlives the pool, whose worker waits on it
        DecodePool pool(1, 2);
        auto started = gate.started.get_future();
        QVERIFY(pool.tryRun(gate.task()));
        QVERIFY(waitFor(started)); // running, no longer queued
        int ran = 0;
        QVERIFY(pool.tryRun([&ran](int) { ++ran; }));
        QVERIFY(pool.tryRun([&ran](int) { ++ran; }));
        QVERIFY(!pool.tryRun([&ran](int) { ++ran; }));
        QCOMPARE(pool.stats().refused, std::int64_t(1));
        QCOMPARE(pool.stats().queued, 2);
        gate.release.set_value();
        pool.stop();
        QCOMPARE(ran, 2);
        QVERIFY(!pool.tryRun([](int) {}));
    }

    void ingestRouteAnswers503WhenThePoolIsFull()
    {
        Gate gate; // outlives the pool, whose worker waits on it
        DecodePool pool(1, 1);
        auto started = gate.started.get_future();
        QVERIFY(pool.tryRun(gate.task()));
        QVERIFY(waitFor(started));
        QVERIFY(pool.tryRun([](int) {})); // the one queue place
        InflightBudget budget(1 << 20);
        IngestStats stats;
        TagRulesHolder tags;
        IngestRoute route([] { return std::make_unique<NativeLogDecoder>(); }, std::make_shared<const NativeDialect>(),
                          std::make_shared<IngestCounters>("native", "logs"), nullptr, &budget, &stats, &tags,
                          1 << 20, &pool);
        HttpRequest request;
        request.method = "POST";
        request.path = "/api/ingest/logs";
        request.headers.emplace_back("content-type", "application/json");
        request.body = "{\"service\":\"a\",\"message\":\"m\"}";
        std::optional<HttpResponse> answer;
        route.handle(std::move(request),
                     HttpResponder(std::make_shared<ResponseSlot>([&answer](HttpResponse r) { answer = std::move(r); }), 1));
        QVERIFY(answer); // answered at once, on the calling thread
        QCOMPARE(answer->status, 503);
        QVERIFY(answer->hasHeader("retry-after"));
        QCOMPARE(stats.overloaded.load(), std::int64_t(1));
        gate.release.set_value();
    }
};

QTEST_GUILESS_MAIN(TstDecodePool)
#include "tst_decodepool.moc"
