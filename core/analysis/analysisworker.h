#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <map>
#include <set>

#include "detect/degradationdetector.h"
#include "detect/metricseriesdetector.h"
#include "detectionsettings.h"
#include "heaptrimmer.h"
#include "kpiaggregator.h"
#include "livekpis.h"
#include "store/storewriter.h"
#include "templates/templatetracker.h"

namespace fg {

class AlertEvaluator;
class StoreReader;
class StoreWriter;

struct AnalysisStats {
    std::atomic<std::int64_t> eventsAnalysed{0};
    std::atomic<std::int64_t> eventsDropped{0}; // not analysed at all (only without a store to read back from)
    std::atomic<std::int64_t> eventsFromStore{0}; // analysed from the store: the hand-off was full
    std::atomic<std::int64_t> logsThrough{0};     // row ids analysed up to (commit order)
    std::atomic<std::int64_t> pointsThrough{0};
    std::atomic<bool> catchingUp{false};
    std::atomic<bool> warming{false};          // detectors learning stored KPI minutes after a start
    std::atomic<std::int64_t> warmedDetectors{0};
    std::atomic<std::int64_t> rollupsWritten{0};
    std::atomic<std::int64_t> anomalyUpdates{0}; // raised, changed or resolved
    std::atomic<std::int64_t> overflowServices{0};
    std::atomic<std::int64_t> overflowEndpoints{0};
    std::atomic<std::int64_t> overflowTemplates{0};
    std::atomic<std::int64_t> metricSamplesAnalysed{0};
    std::atomic<std::int64_t> overflowMetricSeries{0};
    std::atomic<std::int64_t> overflowRouteDetectors{0}; // route minutes not judged: the detector budget was full
    std::atomic<std::int64_t> evictedRouteDetectors{0};  // idle route detectors let go for the budget
    std::atomic<std::int64_t> rebuiltRouteDetectors{0};  // evicted ones relearnt from stored minutes on return
    std::atomic<std::int64_t> heapTrims{0}; // freed memory given back to the system after work
    std::atomic<std::int64_t> detectors{0};     // degradation detectors (services and routes), every 10 s
    std::atomic<std::int64_t> detectorBytes{0}; // what they hold

    // Committed rows analysis has yet to read, given the newest committed row ids.
    std::int64_t lagEvents(std::int64_t lastLogId, std::int64_t lastPointId) const
    {
        return std::max<std::int64_t>(0, lastLogId - logsThrough) + std::max<std::int64_t>(0, lastPointId - pointsThrough);
    }
};

// Analyses committed log events on its own thread: per-minute KPIs per service and route, and on each
// service's and route's closed minutes the degradation detector. Closed minutes and anomalies go back to
// the store as one job. Late parts of minutes are stored but not run through the detectors (their history
// has moved on; replay analyses them).
// It never loses an event: committed batches arrive through a hand-off bounded in bytes, and when that is
// full — analysis behind ingest, a backfill — the events are read back from the store in commit order
// (rows are numbered as they commit), so analysis lags instead of dropping. Ingest never waits for it:
// durability comes first and the lag is reported. The position is stored with each job, so that a restart
// resumes where analysis stopped.
class AnalysisWorker final {
public:
    using ReaderFactory = std::function<std::unique_ptr<StoreReader>()>;
    static constexpr std::size_t kDefaultHandOffBytes = 16 * 1024 * 1024;
    static constexpr std::size_t kDefaultRouteBudgetBytes = 64 * 1024 * 1024;
    // routeBudgetBytes: what the routes' own degradation detectors may hold together (10–60 KB each, growing
    // with their history); services always have one. Past it, routes idle for an hour are let go, least
    // recently used first, and relearn their stored minutes when they return; with none idle, a new route
    // goes unjudged (counted). openReader: read-only store access for catching up and relearning (without
    // it a full hand-off drops batches, counted).
    explicit AnalysisWorker(StoreWriter *store, KpiAggregator::Limits limits = {},
                            std::size_t handOffBytes = kDefaultHandOffBytes,
                            std::size_t routeBudgetBytes = kDefaultRouteBudgetBytes, ReaderFactory openReader = {});
    ~AnalysisWorker();
    AnalysisWorker(const AnalysisWorker &) = delete;
    AnalysisWorker &operator=(const AnalysisWorker &) = delete;

    // Stored templates, so that what was seen before a restart is not new (before start()).
    void restoreTemplate(const std::string &service, std::int64_t id, const std::string &text);
    // Closed minutes and detections go through the alert lifecycle on this thread (before start()).
    void setAlertEvaluator(AlertEvaluator *alerts) { m_alerts = alerts; }
    // When each stored service last sent data, so that one silent since before a restart is noticed.
    void restoreLastReceived(const std::string &service, TimeNs at) { m_knownReceived[service] = at; }
    // Rows up to these ids were analysed before (before start()); later committed rows are read from the
    // store first.
    void resumeAfter(std::int64_t logId, std::int64_t pointId, std::int64_t newestLogId, std::int64_t newestPointId);
    // The settings key and document of the position, stored with each job.
    static constexpr const char *kPositionKey = "analysis_position";
    void start();
    // Any thread; applied to every detector before the next minute is judged.
    void setDetectionSettings(const DetectionSettings &settings);
    // Any thread; never blocks on analysis.
    void enqueue(IngestBatch &&batch);
    // Any thread: after what is queued, forgets the services whose names start with `prefix` (minutes,
    // detectors, templates, live windows, open alerts) and has the store delete their rows; `done` runs
    // on the store's thread once that is durable. Clears demo data without restarting.
    void purgeServices(const std::string &prefix, std::function<void(const WriteOutcome &)> done);
    // Analyses what is queued, writes every open minute and stops. The store must still be running.
    void stop();
    const AnalysisStats &stats() const { return m_stats; }
    const LiveKpis &live() const { return m_live; }
    std::size_t routeBudgetBytes() const { return m_routeBudgetBytes; }

private:
    void run();
    void analyse(const IngestBatch &batch);
    void addLog(const LogRecord &r);
    // Reads committed rows after the position, up to the given ids, at most a page of each; the number read.
    std::size_t readBack(std::int64_t logsThrough, std::int64_t pointsThrough);
    // Catching up: pages from the store until it has nothing newer, then back to the hand-off.
    void catchUp();
    // Before anything new: each service's and route's detector learns its stored minutes of the last days
    // (within a time budget), so a restart does not reopen the warm-up.
    void warmUp();
    std::string positionJson() const;
    void queuePurge(const std::string &prefix, std::function<void(const WriteOutcome &)> done);
    void forgetServices(const std::string &prefix);
    // detect: false for the partial minutes written at shutdown, which would look like a traffic drop.
    void publish(std::vector<KpiRollup> rollups, bool detect);
    // What analysis writes besides alert changes (rollups, anomalies, templates, its position) waits here
    // until kHeldRollups rollups or kHeldWait: rollups of many services written together share b-tree
    // pages (a backfill of 1,000 services wrote about a page per rollup in small groups). Alert changes
    // go at once, in their order with the API's.
    void hold(std::unique_ptr<WriteJob> job);
    void flushHeld();
    // nullptr when a new route finds the budget full. minute: the minute it is about to judge (recency).
    DegradationDetector *detectorFor(const std::string &service, const std::string &endpoint, TimeNs minute);
    // Lets go of the least recently used idle route detector; false when none is idle.
    bool evictIdleRoute();

    StoreWriter *m_store;
    AlertEvaluator *m_alerts = nullptr;
    TimeNs m_lastAlertTick = 0;
    static constexpr TimeNs kLivePublishInterval = 250 * kNsPerMs;
    TimeNs m_lastLivePublish = 0;
    static constexpr std::size_t kHeldRollups = 8192;
    static constexpr TimeNs kHeldWait = 250 * kNsPerMs;
    std::unique_ptr<WriteJob> m_held;
    TimeNs m_heldSince = 0;
    TimeNs m_lastSizing = 0;
    std::map<std::string, TimeNs> m_knownReceived; // from storage, before this run
    KpiAggregator m_aggregator;
    TemplateTracker m_templates;
    MetricSeriesDetector m_metrics;
    LiveKpis m_live;
    HeapTrimmer m_trimmer;
    // Per service and per route, with the newest minute each judged; services bounded by the aggregator's
    // cap, routes by the byte budget.
    struct DetectorSlot {
        DegradationDetector detector;
        TimeNs lastMinute = 0;
    };
    std::map<std::pair<std::string, std::string>, DetectorSlot> m_detectors;
    std::set<std::pair<std::string, std::string>> m_evictedRoutes; // bounded by the aggregator's route cap
    TimeNs m_newestMinute = 0;
    DetectionSettings m_settings;        // analysis thread's copy
    DetectionSettings m_pendingSettings; // under m_mutex
    bool m_settingsChanged = false;      // under m_mutex
    const std::size_t m_handOffBytes;
    const std::size_t m_routeBudgetBytes;
    ReaderFactory m_openReader;
    std::unique_ptr<StoreReader> m_reader; // analysis thread, opened when first needed
    std::int64_t m_logsThrough = 0;        // analysis thread: the position
    std::int64_t m_pointsThrough = 0;
    std::size_t m_routeBytes = 0; // route detectors' memory: exact at each sizing, estimated between
    AnalysisStats m_stats;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<IngestBatch> m_queue;
    std::vector<std::unique_ptr<WriteJob>> m_purges; // under m_mutex: purge jobs waiting for the queue before them
    std::size_t m_queuedBytes = 0;
    bool m_behind = false; // under m_mutex: batches are left in the store until analysis catches up
    bool m_stopping = false;
    bool m_running = false;
    std::thread m_thread;
};

} // namespace fg
