#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "alerting/alert.h"
#include "analysis/detect/anomalyrecord.h"
#include "analysis/kpirollup.h"
#include "model/records.h"

namespace fg {

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
    TimeNs lastReceived = 0; // wall clock of the latest data, for freshness
    std::string registration; // the registration document (JSON object) of a registered service, or empty
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
    std::string tag;      // only events with this tag; empty: any
    std::string traceId;  // only events (logs and spans) of this trace; empty: any
    // A page also ends once its messages and attributes reach this size (at least one row): long messages
    // must not make one answer gigabytes.
    std::size_t maxBytes = 8 * 1024 * 1024;
};

struct MetricQuery {
    TimeWindow window;
    std::string service;
    std::string name;
};

struct StoredTemplate {
    std::string service;
    std::int64_t id = 0;
    std::string text;
    std::string sample;
    Level maxLevel = Level::Unknown;
    TimeNs firstSeen = 0;
    TimeNs lastSeen = 0;
    std::int64_t total = 0;   // events since first seen
    std::int64_t inRange = 0; // events in the queried window
};

struct StoredAnomaly {
    std::int64_t id = 0;
    AnomalyRecord anomaly;
    std::string indicatorsJson; // as stored, the API's "signals"
};

struct AlertQuery {
    TimeWindow window;   // alerts whose pending..resolved interval overlaps it, newest first
    std::string service; // empty: all
    std::string state;   // pending, firing, resolved, open (pending or firing); empty: all
    std::string level;   // at least this level; empty: all
    std::string text;    // case-insensitive substring of service, endpoint, reason or explanation; empty: all
};

template <typename T>
struct Page {
    std::vector<T> items;
    std::optional<Cursor> nextCursor; // pass back as TimeWindow::after
};

// A query stopped by the reader's interrupt (its time budget ran out or its client left).
class QueryInterrupted final : public std::runtime_error {
public:
    QueryInterrupted() : std::runtime_error("query interrupted") {}
};

// Read-side queries over stored data. One instance per thread. SQLite today (SqliteStoreReader).
class StoreReader {
public:
    virtual ~StoreReader() = default;
    // Asked often while a query runs; once it answers true the query throws QueryInterrupted. Empty: never.
    virtual void setInterrupt(std::function<bool()> shouldStop) = 0;
    virtual std::vector<ServiceInfo> services() = 0;
    virtual Page<StoredLog> logs(const LogQuery &query) = 0;
    // The log event that claimed this signal id (events: their event id), staged or sealed in a chunk.
    virtual std::optional<StoredLog> logBySignal(const std::string &signalId) = 0;
    virtual Page<StoredPoint> metricPoints(const MetricQuery &query) = 0;
    // Rows in commit order (ascending id) after `afterId` up to `throughId`, at most `limit`: the analysis
    // reads what it could not take from the live hand-off.
    virtual std::vector<StoredLog> logsInCommitOrder(std::int64_t afterId, std::int64_t throughId, int limit) = 0;
    virtual std::vector<StoredPoint> pointsInCommitOrder(std::int64_t afterId, std::int64_t throughId, int limit) = 0;
    // Buckets of stepNs per series, oldest first; at most maxBuckets rows.
    virtual std::vector<MetricBucket> metricBuckets(const MetricQuery &query, TimeNs stepNs, int maxBuckets) = 0;
    // Stored KPI minutes of a service (endpoint empty) or one of its routes in [from, to], oldest first.
    virtual std::vector<KpiRollup> kpiRollups(const std::string &service, const std::string &endpoint, TimeNs from,
                                              TimeNs to) = 0;
    // Start of the newest stored KPI minute of a service's route (endpoint empty: the service).
    virtual std::optional<TimeNs> latestKpiMinute(const std::string &service, const std::string &endpoint) = 0;
    // Routes of a service with KPI minutes since `from`.
    virtual std::vector<std::string> kpiEndpoints(const std::string &service, TimeNs from) = 0;
    // Templates whose highest level is at least minLevel with their counts in [from, to], most frequent
    // first; service empty: all services. limit 0: no limit.
    virtual std::vector<StoredTemplate> templates(const std::string &service, Level minLevel, TimeNs from, TimeNs to,
                                                  int limit) = 0;
    // A settings document (JSON) by key.
    virtual std::optional<std::string> setting(const std::string &key) = 0;
    // Anomalies overlapping the window, newest start first; service empty: all.
    virtual Page<StoredAnomaly> anomalies(const std::string &service, const TimeWindow &window) = 0;
    virtual Page<Alert> alerts(const AlertQuery &query) = 0;
    virtual std::optional<Alert> alert(std::int64_t id) = 0;
    // An alert's history, oldest first.
    virtual std::vector<AlertTransition> alertTransitions(std::int64_t id) = 0;
    // Rule documents (JSON) by id, ascending.
    virtual std::vector<std::pair<std::int64_t, std::string>> ruleDocuments() = 0;
    // Silence documents (JSON) that end after `endsAfter`.
    virtual std::vector<std::string> silenceDocuments(TimeNs endsAfter) = 0;
    // Incidents overlapping the window, newest first; service empty: all; open: only those still open.
    virtual Page<Incident> incidents(const TimeWindow &window, const std::string &service, bool openOnly) = 0;
    virtual std::optional<Incident> incident(std::int64_t id) = 0;
    virtual std::vector<Alert> incidentAlerts(std::int64_t incidentId) = 0;
    // The newest incident of each service with the number of its alerts still open (for a restart).
    virtual std::vector<std::pair<Incident, int>> latestIncidents() = 0;
    // Outbox rows due for a delivery attempt at `now`, oldest first.
    virtual std::vector<Delivery> dueDeliveries(TimeNs now, int limit) = 0;
    // An alert's notifications and their delivery state, oldest first.
    virtual std::vector<Delivery> deliveries(std::int64_t alertId) = 0;
    // Channel documents (JSON, no secrets) by id, ascending.
    virtual std::vector<std::pair<std::int64_t, std::string>> channelDocuments() = 0;
    // Every stored metric series (service, name, canonical tags), for the series cap at start.
    virtual void forEachMetricSeries(
        const std::function<void(const std::string &service, const std::string &name, const std::string &tags)> &visit) = 0;
    // Highest id used by alerts, incidents, rules, silences and channels (new ones continue from there).
    virtual std::int64_t maxAlertingId() = 0;
};

} // namespace fg
