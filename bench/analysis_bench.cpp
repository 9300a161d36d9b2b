// Analysis costs (Google Benchmark): per event, classification (fields from message text, level
// inference), KPI minute update and template mining; per point, degradation detection on a closed minute;
// per closed service minute, the alert lifecycle with the built-in rules and ten threshold rules; per
// evaluation, a rule condition.

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include <random>

#include "alerting/alertevaluator.h"
#include "alerting/condition.h"
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

KpiRollup serviceMinute(std::size_t m, std::mt19937 &rng, int errors)
{
    std::lognormal_distribution<double> latency(5.0, 0.3);
    KpiRollup k;
    k.service = "svc" + std::to_string(m % 50);
    k.start = TimeNs(m / 50) * 60 * kNsPerSec;
    for (int i = 0; i < 300; ++i) {
        ++k.requests;
        ++k.events;
        k.requestErrors += i < errors ? 1 : 0;
        k.latency.add(latency(rng));
    }
    return k;
}

void alertMinute(benchmark::State &state)
{
    // 50 services, the built-in rules and ten threshold rules; a tenth of the minutes fail.
    RuleBook book;
    std::vector<AlertRule> rules = AlertRule::builtins();
    for (int r = 0; r < 10; ++r) {
        AlertRule rule;
        rule.id = 100 + r;
        rule.name = "rule " + std::to_string(r);
        rule.condition = Condition::parse("error_rate > 5% or p99_latency_ms > " + std::to_string(400 + r * 50), nullptr);
        rule.windowMinutes = 5;
        rules.push_back(rule);
    }
    book.set(rules);
    IdAllocator ids_evaluator(1);
    AlertEvaluator evaluator(&book, nullptr, &ids_evaluator, {});
    std::mt19937 rng(2);
    std::vector<KpiRollup> minutes;
    for (std::size_t m = 0; m < 5000; ++m)
        minutes.push_back(serviceMinute(m, rng, (m / 50) % 10 == 0 ? 60 : 1));
    std::size_t i = 0;
    for (auto _ : state) {
        KpiRollup k = minutes[i % minutes.size()];
        k.start += TimeNs(i / minutes.size()) * 100 * 60 * kNsPerSec; // time keeps moving forward
        ++i;
        benchmark::DoNotOptimize(evaluator.onMinutes({k}, {}, {}, k.start + 3 * 60 * kNsPerSec));
    }
    state.SetItemsProcessed(state.iterations());
}

void evaluateCondition(benchmark::State &state)
{
    const auto condition = Condition::parse("(error_rate > 5% and p95_latency_ms > 800) or count(level>=ERROR) > 50", nullptr);
    std::mt19937 rng(3);
    KpiWindow window;
    window.merged = serviceMinute(0, rng, 10);
    window.span = 5;
    for (auto _ : state)
        benchmark::DoNotOptimize(condition->evaluate(window));
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(classify);
BENCHMARK(kpiAndTemplates);
BENCHMARK(detectMinute);
BENCHMARK(alertMinute);
BENCHMARK(evaluateCondition);
BENCHMARK_MAIN();
