// Per-event cost of classification (Google Benchmark): field extraction from message text and level
// inference, on lines shaped like real application and access logs.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "analysis/logclassifier.h"

using namespace fg;

namespace {

const std::vector<std::string> kLines = {
    "Auth failed latency=850ms status=500 user=alice",
    R"(10.1.2.3 - - [25/Nov/2026:20:00:00 +0000] "POST /api/orders/9f3a HTTP/1.1" 502 157 "-" "curl/7.88.1" rt=0.512s)",
    "GET /api/cart/123 completed in 23ms status=200 request_id=8f1c2a9b upstream=db-primary pool=main",
    "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null at Foo.bar(Foo.java:42)",
    "payment gateway timeout after 3000 ms; retrying (attempt 2 of 3)",
    "user u004211 signed in from 10.0.0.7 with mfa=true session=7a1f0c",
};

void classify(benchmark::State &state)
{
    LogClassifier classifier;
    std::size_t i = 0;
    for (auto _ : state) {
        LogRecord r;
        r.message = kLines[i++ % kLines.size()];
        classifier.enrich(r);
        benchmark::DoNotOptimize(r.latencyMs);
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(classify);
BENCHMARK_MAIN();
