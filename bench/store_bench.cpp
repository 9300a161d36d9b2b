// Store micro-benchmarks (Google Benchmark): the writer's append path alone, batches of 1000 realistic
// log records per job, group-committed as under load; and the log chunk encoder alone on events shaped like
// bench/ingest_load's (random trace ids and numbers in the messages). Print rows/s.

#include <benchmark/benchmark.h>

#include <QTemporaryDir>

#include <future>
#include <random>

#include "store/logchunkcodec.h"
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

// One service's events as bench/ingest_load sends them.
std::vector<LogRecord> makeVariedRecords(int n)
{
    std::mt19937 rng(11);
    static const char *routes[] = {"/api/login", "/api/cart/{id}", "/api/search", "/api/orders/{id}", "/api/pay"};
    static const char *methods[] = {"GET", "POST", "PUT"};
    std::vector<LogRecord> out(static_cast<std::size_t>(n));
    TimeNs ts = 1'767'225'600LL * kNsPerSec;
    char buf[512];
    for (auto &r : out) {
        r.ts = ts += kNsPerMs;
        r.received = r.ts + 3 * kNsPerMs;
        r.service = "checkout";
        r.statusCode = rng() % 100 < 3 ? 500 + int(rng() % 4) : 200;
        r.latencyMs = 5 + double(rng() % 40000) / 100.0;
        r.level = r.statusCode >= 500 ? Level::Error : (rng() % 10 == 0 ? Level::Warn : Level::Info);
        r.endpoint = routes[rng() % 5];
        r.method = methods[rng() % 3];
        std::snprintf(buf, sizeof buf,
                      "%s %s completed status=%d latency=%.1fms user_id=u%06u request_id=%08x%08x upstream=db-primary"
                      " pool=main retries=0",
                      r.method.c_str(), r.endpoint.c_str(), r.statusCode, r.latencyMs, unsigned(rng() % 1000000),
                      unsigned(rng()), unsigned(rng()));
        r.message = buf;
        std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", unsigned(rng()), unsigned(rng()), unsigned(rng()),
                      unsigned(rng()));
        r.traceId = buf;
        std::snprintf(buf, sizeof buf, "%08x%08x", unsigned(rng()), unsigned(rng()));
        r.spanId = buf;
        std::snprintf(buf, sizeof buf, R"({"host":"web-%u","region":"eu-west-1","version":"1.4.2"})", unsigned(rng() % 16));
        r.attributes = buf;
    }
    return out;
}

void encodeChunk(benchmark::State &state)
{
    const std::vector<LogRecord> records = makeVariedRecords(int(state.range(0)));
    std::size_t bytes = 0;
    for (auto _ : state) {
        std::vector<std::pair<std::int64_t, const LogRecord *>> rows;
        rows.reserve(records.size());
        for (std::size_t i = 0; i < records.size(); ++i)
            rows.emplace_back(std::int64_t(i + 1), &records[i]);
        const EncodedLogChunk c = encodeLogChunk(std::move(rows));
        bytes = c.keys.size() + c.fields.size() + c.messages.size() + c.attributes.size() + c.textBloom.size()
                + c.keyBloom.size();
        benchmark::DoNotOptimize(bytes);
    }
    state.counters["rows/s"] = benchmark::Counter(double(state.iterations()) * double(records.size()),
                                                  benchmark::Counter::kIsRate);
    state.counters["bytes/row"] = double(bytes) / double(records.size());
}

} // namespace

// Events per chunk: a commit group's share of one service under load, and a full chunk.
BENCHMARK(encodeChunk)->Arg(300)->Arg(4096)->Unit(benchmark::kMillisecond);
// Args: jobs submitted together (what concurrent requests look like to the writer), sync=full.
BENCHMARK(appendBatches)->Args({1, 0})->Args({4, 0})->Args({16, 0})->Args({4, 1})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
