// Store micro-benchmark (Google Benchmark): the writer's append path alone, batches of 1000 realistic
// log records per job, group-committed as under load. Prints rows/s.

#include <benchmark/benchmark.h>

#include <QTemporaryDir>

#include <future>
#include <random>

#include "store/sqlitestorewriter.h"

using namespace fg;

namespace {

std::vector<LogRecord> makeRecords(int n, TimeNs &ts)
{
    std::mt19937 rng(7);
    static const char *services[] = {"auth", "checkout", "search", "inventory", "payments", "gateway"};
    std::vector<LogRecord> out(static_cast<std::size_t>(n));
    for (auto &r : out) {
        r.ts = ts += kNsPerMs / 4;
        r.received = r.ts;
        r.service = services[rng() % 6];
        r.level = rng() % 30 ? Level::Info : Level::Error;
        r.message = "GET /api/orders/{id} completed status=200 latency=23.4ms user_id=u004211 request_id=8f1c2a9b "
                    "upstream=db-primary pool=main retries=0 region=eu-west-1 version=1.4.2 host=web-7";
        r.latencyMs = double(rng() % 500);
        r.statusCode = 200;
        r.endpoint = "/api/orders/{id}";
        r.method = "GET";
        r.traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        r.spanId = "00f067aa0ba902b7";
        r.attributes = R"({"host":"web-7","region":"eu-west-1","version":"1.4.2"})";
    }
    return out;
}

void appendBatches(benchmark::State &state)
{
    QTemporaryDir dir;
    StoreOptions o;
    o.path = (dir.path() + QStringLiteral("/bench.db")).toStdString();
    o.retentionSeconds = 0;
    o.syncFull = state.range(1) != 0;
    SqliteStoreWriter writer(o);
    writer.start(nullptr);
    TimeNs ts = 1'767'225'600LL * kNsPerSec;
    const int perJob = 1000;
    const int jobsInFlight = int(state.range(0));
    for (auto _ : state) {
        std::vector<std::future<void>> done;
        for (int j = 0; j < jobsInFlight; ++j) {
            auto p = std::make_shared<std::promise<void>>();
            done.push_back(p->get_future());
            auto job = std::make_unique<WriteJob>();
            job->batch.logs = makeRecords(perJob, ts);
            job->done = [p](const WriteOutcome &) { p->set_value(); };
            writer.submit(std::move(job));
        }
        for (auto &f : done)
            f.wait();
    }
    state.counters["rows/s"] = benchmark::Counter(double(state.iterations()) * jobsInFlight * perJob,
                                                  benchmark::Counter::kIsRate);
    state.counters["commits"] = double(writer.stats().commits);
}

} // namespace

// Args: jobs submitted together (what concurrent requests look like to the writer), sync=full.
BENCHMARK(appendBatches)->Args({1, 0})->Args({4, 0})->Args({16, 0})->Args({4, 1})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
