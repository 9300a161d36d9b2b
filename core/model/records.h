#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "level.h"
#include "timestamp.h"

namespace fg {

// One log event as decoded from any wire format. Strings are UTF-8 bytes straight from the
// decoder: the ingest path never converts to QString.
struct LogRecord {
    TimeNs ts = 0;
    TimeNs received = 0;
    std::string service;
    Level level = Level::Unknown;
    std::string levelRaw; // the level as sent, kept when it is not the canonical name
    std::string message;
    double latencyMs = NAN;
    int statusCode = 0; // 0: not given
    std::string endpoint;
    std::string method;
    std::string traceId;
    std::string spanId;
    std::string signalId; // idempotency key; empty: none
    std::string attributes; // minified JSON object, or empty
    std::string tags;       // ",timeout,db," (wrapped in commas for exact matching), or empty
};

enum class MetricType : std::uint8_t { Gauge = 0, Counter = 1, Histogram = 2, Timer = 3 };

struct MetricSample {
    TimeNs ts = 0;
    TimeNs received = 0;
    std::string service;
    std::string name;
    MetricType type = MetricType::Gauge;
    double value = 0;
    std::string tags; // canonical JSON object (keys sorted), "{}" when none
    std::string signalId;
    // False for the 2nd… samples of one KPI snapshot item: duplicates are counted per item.
    bool startsItem = true;
};

// What one ingest request hands to storage: committed together or not at all.
struct IngestBatch {
    std::vector<LogRecord> logs;
    std::vector<MetricSample> metrics;
    // Once committed: the row ids of the first log and point; the rest follow one by one (0: not stored).
    std::int64_t firstLogId = 0;
    std::int64_t firstPointId = 0;
};

const char *metricTypeName(MetricType type);

// Heap bytes a record holds, for memory accounting of decoded requests.
std::size_t approxBytes(const LogRecord &r);
std::size_t approxBytes(const MetricSample &m);

} // namespace fg
