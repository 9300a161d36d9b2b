// Analysis costs (Google Benchmark): per event, classification (fields from message text, level
// inference), KPI minute update and template mining; per point, degradation detection on a closed minute.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include <random>

#include "analysis/detect/degradationdetector.h"
#include "analysis/kpiaggregator.h"
#include "analysis/logclassifier.h"
#include "analysis/templates/templatetracker.h"

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

// KPI update and template for each event, as the analysis thread does after classification.
void kpiAndTemplates(benchmark::State &state)
{
    LogClassifier classifier;
    KpiAggregator kpis;
    TemplateTracker templates;
    std::vector<LogRecord> events;
    for (std::size_t i = 0; i < 6000; ++i) {
        LogRecord r;
        r.service = "svc" + std::to_string(i % 6);
        r.ts = 1'767'225'600LL * kNsPerSec + TimeNs(i) * 10 * kNsPerMs;
        r.received = r.ts;
        r.message = kLines[i % kLines.size()] + std::string(" user=u") + std::to_string(i);
        classifier.enrich(r);
        events.push_back(std::move(r));
    }
    std::size_t i = 0;
    for (auto _ : state) {
        const LogRecord &r = events[i++ % events.size()];
        kpis.add(r);
        benchmark::DoNotOptimize(templates.add(r));
        if (i % 100000 == 0) { // keep the pending maps from growing like a real flush would
            benchmark::DoNotOptimize(kpis.takeAll());
            benchmark::DoNotOptimize(templates.takeUpdates());
            benchmark::DoNotOptimize(templates.takeMinuteCounts());
        }
    }
    state.SetItemsProcessed(state.iterations());
}

// One closed minute through the degradation detector (five KPI series).
void detectMinute(benchmark::State &state)
{
    std::mt19937 rng(1);
    std::lognormal_distribution<double> latency(5.0, 0.3);
    std::vector<KpiRollup> minutes(512);
    for (std::size_t m = 0; m < minutes.size(); ++m) {
        minutes[m].service = "svc";
        minutes[m].start = TimeNs(m) * 60 * kNsPerSec;
        for (int i = 0; i < 300; ++i) {
            ++minutes[m].requests;
            ++minutes[m].events;
            minutes[m].latency.add(latency(rng));
        }
    }
    DegradationDetector detector("svc");
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(detector.update(minutes[i++ % minutes.size()]));
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(classify);
BENCHMARK(kpiAndTemplates);
BENCHMARK(detectMinute);
BENCHMARK_MAIN();
