#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace fg {

// Counters of one ingest endpoint (protocol × signal), written by its IngestRoute on the listener and
// writer threads, read by GET /metrics.
struct IngestCounters {
    IngestCounters(const char *protocolName, const char *signalName) : protocol(protocolName), signal(signalName) {}
    // Seconds from the request's arrival to its commit, in these buckets (and +Inf).
    static constexpr std::array<double, 11> kBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    void observeCommit(double seconds);

    const char *const protocol;
    const char *const signal;
    std::atomic<std::int64_t> requests{0};
    std::atomic<std::int64_t> accepted{0}; // items committed
    std::atomic<std::int64_t> rejected{0}; // items refused (partial success or 4xx)
    std::array<std::atomic<std::int64_t>, kBounds.size() + 1> buckets{}; // per bucket, not cumulative
    std::atomic<std::int64_t> durationMicros{0};
};

// HTTP answers by route and status for GET /metrics; any thread. Routes are the fixed route names (not raw
// paths), so the number of series stays bounded.
class HttpCounters final {
public:
    void count(const char *route, int status);
    std::map<std::pair<std::string, int>, std::int64_t> snapshot() const;

private:
    mutable std::mutex m_mutex;
    std::map<std::pair<std::string, int>, std::int64_t> m_counts;
};

// Prometheus text exposition (version 0.0.4) writing helpers.
class PrometheusText final {
public:
    void family(const char *name, const char *type, const char *help);
    // labels: already formatted `a="x",b="y"` (use label() to escape values), or "".
    void sample(const std::string &name, const std::string &labels, double value);
    static std::string label(const char *name, const std::string &value);
    const std::string &text() const { return m_out; }

private:
    std::string m_out;
};

} // namespace fg
