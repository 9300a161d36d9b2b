#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include <map>

#include "detect/degradationdetector.h"
#include "detect/metricseriesdetector.h"
#include "detectionsettings.h"
#include "kpiaggregator.h"
#include "livekpis.h"
#include "templates/templatetracker.h"

namespace fg {

class AlertEvaluator;
class StoreWriter;

struct AnalysisStats {
    std::atomic<std::int64_t> eventsAnalysed{0};
    std::atomic<std::int64_t> eventsDropped{0}; // analysis fell behind; the events are stored all the same
    std::atomic<std::int64_t> rollupsWritten{0};
    std::atomic<std::int64_t> anomalyUpdates{0}; // raised, changed or resolved
    std::atomic<std::int64_t> overflowServices{0};
    std::atomic<std::int64_t> overflowEndpoints{0};
    std::atomic<std::int64_t> overflowTemplates{0};
    std::atomic<std::int64_t> metricSamplesAnalysed{0};
    std::atomic<std::int64_t> overflowMetricSeries{0};
    std::atomic<std::int64_t> overflowRouteDetectors{0}; // route minutes not judged: the detector cap was reached
};

// Analyses committed log events on its own thread: per-minute KPIs per service and route, and on each
// service's and route's closed minutes the degradation detector. Fed by the store's committed observer through a
// bounded queue; when analysis falls behind whole batches are dropped and counted, so ingest never waits
// for it. Closed minutes and anomalies go back to the store as one job. Late parts of minutes are stored
// but not run through the detectors (their history has moved on; replay analyses them).
class AnalysisWorker final {
public:
    // maxRouteDetectors: routes (across services) with their own degradation detector, about 100 KB each
    // with a month of seasonal profiles; services always have one.
    explicit AnalysisWorker(StoreWriter *store, KpiAggregator::Limits limits = {},
                            std::size_t maxQueuedEvents = 500'000, std::size_t maxRouteDetectors = 2000);
    ~AnalysisWorker();
    AnalysisWorker(const AnalysisWorker &) = delete;
    AnalysisWorker &operator=(const AnalysisWorker &) = delete;

    // Stored templates, so that what was seen before a restart is not new (before start()).
    void restoreTemplate(const std::string &service, std::int64_t id, const std::string &text);
    // Closed minutes and detections go through the alert lifecycle on this thread (before start()).
    void setAlertEvaluator(AlertEvaluator *alerts) { m_alerts = alerts; }
    // When each stored service last sent data, so that one silent since before a restart is noticed.
    void restoreLastReceived(const std::string &service, TimeNs at) { m_knownReceived[service] = at; }
    void start();
    // Any thread; applied to every detector before the next minute is judged.
    void setDetectionSettings(const DetectionSettings &settings);
    // Any thread; never blocks on analysis.
    void enqueue(IngestBatch &&batch);
    // Analyses what is queued, writes every open minute and stops. The store must still be running.
    void stop();
    const AnalysisStats &stats() const { return m_stats; }
    const LiveKpis &live() const { return m_live; }

private:
    void run();
    // detect: false for the partial minutes written at shutdown, which would look like a traffic drop.
    void publish(std::vector<KpiRollup> rollups, bool detect);
    // nullptr when a new route would pass the cap.
    DegradationDetector *detectorFor(const std::string &service, const std::string &endpoint);

    StoreWriter *m_store;
    AlertEvaluator *m_alerts = nullptr;
    TimeNs m_lastAlertTick = 0;
    std::map<std::string, TimeNs> m_knownReceived; // from storage, before this run
    KpiAggregator m_aggregator;
    TemplateTracker m_templates;
    MetricSeriesDetector m_metrics;
    LiveKpis m_live;
    // Per service and per route; bounded by the aggregator's caps on services and routes.
    std::map<std::pair<std::string, std::string>, DegradationDetector> m_detectors;
    DetectionSettings m_settings;        // analysis thread's copy
    DetectionSettings m_pendingSettings; // under m_mutex
    bool m_settingsChanged = false;      // under m_mutex
    const std::size_t m_maxQueued;
    const std::size_t m_maxRouteDetectors;
    std::size_t m_routeDetectors = 0;
    AnalysisStats m_stats;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<IngestBatch> m_queue;
    std::size_t m_queued = 0;
    bool m_stopping = false;
    bool m_running = false;
    std::thread m_thread;
};

} // namespace fg
