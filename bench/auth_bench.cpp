// Cost of admitting a request (Google Benchmark): token lookup (SHA-256 and a constant-time comparison
// with every stored hash) through RequestAuthorizer with 1, 100 and 1,000 tokens, and a rate-limit charge
// for one hot key and for keys cycling through a full table of 10,000 buckets; and finding the request's
// route in the API's route table (done in admit and again in handle).

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QTemporaryDir>

#include "api/apirouter.h"
#include "api/requestauthorizer.h"
#include "config/engineconfig.h"
#include "auth/ratelimiter.h"
#include "auth/tokenregistry.h"

using namespace fg;

namespace {

void BM_AdmitWithBearer(benchmark::State &state)
{
    QTemporaryDir dir;
    std::vector<ApiToken> tokens;
    QByteArray last;
    for (int i = 0; i < state.range(0); ++i) {
        last = generateTokenSecret();
        ApiToken t;
        t.id = i + 1;
        t.name = QStringLiteral("t%1").arg(i);
        t.sha256 = tokenHash(last);
        t.scopes = TokenScope::Ingest;
        tokens.push_back(t);
    }
    TokenRegistry registry(dir.filePath(QStringLiteral("b.tokens.json")), std::move(tokens), {});
    RequestAuthorizer::Options options;
    options.mode = AuthMode::Tokens;
    options.ratePerSecond = 1e9; // charged, never refused
    options.burst = 1'000'000;
    options.limitLoopback = true;
    RequestAuthorizer authorizer(options, &registry);
    HttpRequest request;
    request.method = "POST";
    request.path = "/api/ingest/logs";
    request.peer = QHostAddress(QHostAddress::LocalHost);
    request.headers = {{"host", "127.0.0.1:4318"}, {"authorization", "Bearer " + last}};
    for (auto _ : state) {
        auto refused = authorizer.admit(request, TokenScope::Ingest); // the scope of the route in the table
        benchmark::DoNotOptimize(refused);
        if (refused)
            state.SkipWithError("refused");
    }
}
BENCHMARK(BM_AdmitWithBearer)->Arg(1)->Arg(100)->Arg(1000);

void BM_RateLimitHotKey(benchmark::State &state)
{
    RateLimiter limiter(1e9, 1'000'000, 10'000);
    qint64 now = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(limiter.take("ip:10.0.0.1", ++now));
}
BENCHMARK(BM_RateLimitHotKey);

// 0: an early ingest route, 1: a late query route, 2: a typed pattern, 3: no route (every entry tried).
void BM_RouteLookup(benchmark::State &state)
{
    const ApiRouter router(EngineConfig{}, QJsonObject{}, ApiRouter::Deps{});
    static const std::pair<QByteArray, QByteArray> kRequests[] = {
        {"POST", "/v1/logs"}, {"GET", "/api/settings/tags"}, {"POST", "/api/alerts/7/acknowledge"}, {"GET", "/nowhere/at/all"}};
    const auto &[method, path] = kRequests[state.range(0)];
    for (auto _ : state)
        benchmark::DoNotOptimize(router.routes().match(path, method));
}
BENCHMARK(BM_RouteLookup)->DenseRange(0, 3);

void BM_RateLimitFullTable(benchmark::State &state)
{
    // 20,000 addresses take turns in a 10,000-bucket table: every charge evicts one (worst case).
    RateLimiter limiter(1.0, 10, 10'000);
    std::vector<QByteArray> keys;
    for (int i = 0; i < 20'000; ++i)
        keys.push_back("ip:10.0." + QByteArray::number(i / 256) + '.' + QByteArray::number(i % 256));
    size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(limiter.take(keys[i], 0));
        i = (i + 1) % keys.size();
    }
    state.counters["buckets"] = limiter.bucketCount();
}
BENCHMARK(BM_RateLimitFullTable);

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv); // the registry's timers
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
