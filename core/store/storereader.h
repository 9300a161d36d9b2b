#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/records.h"

namespace fg {

class SqliteDb;

struct StoredLog {
    std::int64_t id = 0;
    LogRecord record;
};

struct ServiceInfo {
    std::string name;
    TimeNs firstSeen = 0;
    TimeNs lastSeen = 0;
    std::int64_t logCount = 0;
    std::int64_t metricCount = 0;
};

struct StoredPoint {
    std::int64_t id = 0;
    MetricSample sample;
};

struct MetricBucket {
    std::string service;
    std::string name;
    MetricType type = MetricType::Gauge;
    std::string tags;
    TimeNs start = 0;
    double avg = 0, min = 0, max = 0, sum = 0;
    std::int64_t count = 0;
};

// Keyset position in a newest-first list: rows sort by (event time, arrival id), both descending.
struct Cursor {
    TimeNs ts = 0;
    std::int64_t id = 0;
};

// [from, to] in event time, newest first, strictly after an optional cursor.
struct TimeWindow {
    TimeNs from = 0;
    TimeNs to = 0;
    std::optional<Cursor> after;
    int limit = 100;
};

struct LogQuery {
    TimeWindow window;
    std::string service; // empty: all
    Level minLevel = Level::Unknown; // Unknown: no level filter
    std::string contains; // case-insensitive substring of the message; empty: none
};

struct MetricQuery {
    TimeWindow window;
    std::string service;
    std::string name;
};

template <typename T>
struct Page {
    std::vector<T> items;
    std::optional<Cursor> nextCursor; // pass back as TimeWindow::after
};

// Read-side queries on its own connection (read-only unless the caller says otherwise). One instance
// per thread; never shares its connection with the writer.
class StoreReader final {
public:
    explicit StoreReader(const std::string &path);
    ~StoreReader();
    StoreReader(const StoreReader &) = delete;
    StoreReader &operator=(const StoreReader &) = delete;

    std::vector<ServiceInfo> services();
    Page<StoredLog> logs(const LogQuery &query);
    Page<StoredPoint> metricPoints(const MetricQuery &query);
    // Buckets of stepNs per series, oldest first; at most maxBuckets rows.
    std::vector<MetricBucket> metricBuckets(const MetricQuery &query, TimeNs stepNs, int maxBuckets);
    bool ping();

private:
    std::optional<std::int64_t> serviceId(const std::string &name);
    std::vector<std::int64_t> allServiceIds();
    std::vector<std::int64_t> seriesIds(const MetricQuery &query);
    std::unique_ptr<SqliteDb> m_db;
};

} // namespace fg
