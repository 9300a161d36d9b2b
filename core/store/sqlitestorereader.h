#pragma once

#include <memory>
#include <string>

#include "storereader.h"

namespace fg {

class SqliteDb;

// The SQLite StoreReader: its own read-only connection, never the writer's. Newest-first lists walk the
// (key, event time) index of one service, or the event-time index across all of them.
class SqliteStoreReader final : public StoreReader {
public:
    explicit SqliteStoreReader(const std::string &path);
    ~SqliteStoreReader() override;
    SqliteStoreReader(const SqliteStoreReader &) = delete;
    SqliteStoreReader &operator=(const SqliteStoreReader &) = delete;

    void setInterrupt(std::function<bool()> shouldStop) override;
    std::vector<ServiceInfo> services() override;
    Page<StoredLog> logs(const LogQuery &query) override;
    std::optional<StoredLog> logBySignal(const std::string &signalId) override;
    Page<StoredPoint> metricPoints(const MetricQuery &query) override;
    std::vector<StoredLog> logsInCommitOrder(std::int64_t afterId, std::int64_t throughId, int limit) override;
    std::vector<StoredPoint> pointsInCommitOrder(std::int64_t afterId, std::int64_t throughId, int limit) override;
    std::vector<MetricBucket> metricBuckets(const MetricQuery &query, TimeNs stepNs, int maxBuckets) override;
    std::vector<KpiRollup> kpiRollups(const std::string &service, const std::string &endpoint, TimeNs from,
                                      TimeNs to) override;
    Page<StoredAnomaly> anomalies(const std::string &service, const TimeWindow &window) override;
    std::optional<TimeNs> latestKpiMinute(const std::string &service, const std::string &endpoint) override;
    std::vector<std::string> kpiEndpoints(const std::string &service, TimeNs from) override;
    std::optional<std::string> setting(const std::string &key) override;
    Page<Alert> alerts(const AlertQuery &query) override;
    std::optional<Alert> alert(std::int64_t id) override;
    std::vector<AlertTransition> alertTransitions(std::int64_t id) override;
    std::vector<std::pair<std::int64_t, std::string>> ruleDocuments() override;
    std::vector<std::string> silenceDocuments(TimeNs endsAfter) override;
    std::int64_t maxAlertingId() override;
    std::vector<Delivery> dueDeliveries(TimeNs now, int limit) override;
    Page<Incident> incidents(const TimeWindow &window, const std::string &service, bool openOnly) override;
    std::optional<Incident> incident(std::int64_t id) override;
    std::vector<Alert> incidentAlerts(std::int64_t incidentId) override;
    std::vector<std::pair<Incident, int>> latestIncidents() override;
    std::vector<Delivery> deliveries(std::int64_t alertId) override;
    std::vector<std::pair<std::int64_t, std::string>> channelDocuments() override;
    void forEachMetricSeries(
        const std::function<void(const std::string &service, const std::string &name, const std::string &tags)> &visit) override;
    std::vector<StoredTemplate> templates(const std::string &service, Level minLevel, TimeNs from, TimeNs to,
                                          int limit) override;

private:
    static int onProgress(void *reader);
    // Throws QueryInterrupted once the interrupt says so (between chunks, where SQLite's handler is not asked).
    std::function<void()> interruptCheck() const;
    std::optional<std::int64_t> serviceId(const std::string &name);
    std::vector<std::int64_t> seriesIds(const MetricQuery &query);
    std::unique_ptr<SqliteDb> m_db;
    std::function<bool()> m_shouldStop;
};

} // namespace fg
