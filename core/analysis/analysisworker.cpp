#include "analysisworker.h"

#include <QtGlobal>

#include <chrono>
#include <iterator>
#include <limits>
#include <utility>

#include "alerting/alertevaluator.h"
#include "store/storereader.h"
#include "store/storewriter.h"

namespace fg {

namespace {
constexpr int kReadBackPage = 5000; // rows per read from the store while catching up
// Three days and an hour: enough for a daily profile (it needs three whole days).
constexpr TimeNs kWarmUpHistory = (3 * 24 + 1) * 3600 * kNsPerSec;
constexpr auto kWarmUpBudget = std::chrono::seconds(60);
constexpr TimeNs kRouteIdleTime = 3600 * kNsPerSec; // event time without a minute before a route may be let go

std::size_t batchBytes(const IngestBatch &b)
{
    std::size_t n = 0;
    for (const LogRecord &r : b.logs)
        n += approxBytes(r);
    for (const MetricSample &m : b.metrics)
        n += approxBytes(m);
    return n;
}
} // namespace

AnalysisWorker::AnalysisWorker(StoreWriter *store, KpiAggregator::Limits limits, std::size_t handOffBytes,
                               std::size_t routeBudgetBytes, ReaderFactory openReader)
    : m_store(store), m_aggregator(limits), m_handOffBytes(handOffBytes), m_routeBudgetBytes(routeBudgetBytes),
      m_openReader(std::move(openReader))
{
}

void AnalysisWorker::resumeAfter(std::int64_t logId, std::int64_t pointId, std::int64_t newestLogId,
                                 std::int64_t newestPointId)
{
    m_logsThrough = logId;
    m_pointsThrough = pointId;
    m_stats.logsThrough = logId;
    m_stats.pointsThrough = pointId;
    m_behind = m_openReader && (newestLogId > logId || newestPointId > pointId);
}

AnalysisWorker::~AnalysisWorker() { stop(); }

void AnalysisWorker::restoreTemplate(const std::string &service, std::int64_t id, const std::string &text)
{
    m_templates.restore(service, id, text);
}

void AnalysisWorker::start()
{
    std::lock_guard lock(m_mutex);
    if (m_running)
        return;
    m_running = true;
    m_thread = std::thread([this] { run(); });
}

void AnalysisWorker::enqueue(IngestBatch &&batch)
{
    const std::size_t n = batch.logs.size() + batch.metrics.size();
    const std::size_t bytes = batchBytes(batch);
    const bool stored = batch.firstLogId > 0 || batch.firstPointId > 0;
    std::lock_guard lock(m_mutex);
    if (!m_running || m_stopping) {
        if (!stored || !m_openReader)
            m_stats.eventsDropped += std::int64_t(n); // stored rows are picked up after a restart
        return;
    }
    if (m_behind || m_queuedBytes + bytes > m_handOffBytes) {
        if (stored && m_openReader) {
            // Left in the store: read back in commit order once analysis gets to it.
            m_behind = true;
            m_wake.notify_one();
        } else {
            m_stats.eventsDropped += std::int64_t(n);
        }
        return;
    }
    m_queuedBytes += bytes;
    m_queue.push_back(std::move(batch));
    m_wake.notify_one();
}

void AnalysisWorker::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_running)
            return;
        m_stopping = true;
        m_wake.notify_one();
    }
    m_thread.join();
    std::lock_guard lock(m_mutex);
    m_running = false;
}

void AnalysisWorker::warmUp()
{
    if (!m_openReader)
        return;
    m_stats.warming = true;
    const auto deadline = std::chrono::steady_clock::now() + kWarmUpBudget;
    try {
        if (!m_reader)
            m_reader = m_openReader();
        for (const ServiceInfo &service : m_reader->services()) {
            const auto latest = m_reader->latestKpiMinute(service.name, {});
            if (!latest)
                continue;
            const TimeNs from = *latest - kWarmUpHistory;
            std::vector<std::string> routes{std::string()};
            for (std::string &route : m_reader->kpiEndpoints(service.name, from))
                routes.push_back(std::move(route));
            for (const std::string &route : routes) {
                if (std::chrono::steady_clock::now() > deadline)
                    return (void)(m_stats.warming = false);
                if (DegradationDetector *d = detectorFor(service.name, route, *latest)) {
                    d->learnHistory(m_reader->kpiRollups(service.name, route, from, *latest));
                    ++m_stats.warmedDetectors;
                }
            }
        }
    } catch (const std::exception &e) {
        qWarning("analysis warm-up stopped: %s", e.what()); // detectors warm up from live data instead
    }
    m_stats.warming = false;
}

void AnalysisWorker::run()
{
    warmUp();
    for (;;) {
        std::deque<IngestBatch> batches;
        std::vector<std::unique_ptr<WriteJob>> purges;
        bool stopping;
        {
            std::unique_lock lock(m_mutex);
            // Closed minutes held back wait a quarter of a second at most.
            m_wake.wait_for(lock, m_held ? std::chrono::milliseconds(kHeldWait / kNsPerMs) : std::chrono::milliseconds(1000),
                            [this] { return !m_queue.empty() || m_stopping || m_behind || !m_purges.empty(); });
            batches.swap(m_queue);
            purges.swap(m_purges);
            m_queuedBytes = 0;
            stopping = m_stopping;
            if (m_settingsChanged) {
                m_settings = m_pendingSettings;
                m_settingsChanged = false;
                for (auto &[key, slot] : m_detectors)
                    slot.detector.configure(m_settings.forMinutes, m_settings.clearMinutes, std::size_t(m_settings.warmupMinutes),
                                m_settings.activeAt(), m_settings.extremeAt());
            }
        }
        const bool idle = batches.empty();
        for (const IngestBatch &batch : batches)
            analyse(batch);
        batches.clear(); // the records go before a catch-up reads more
        if (!stopping)
            catchUp();
        m_stats.overflowServices = std::int64_t(m_aggregator.overflowServices());
        m_stats.overflowEndpoints = std::int64_t(m_aggregator.overflowEndpoints());
        m_stats.overflowTemplates = std::int64_t(m_templates.overflow());
        m_stats.overflowMetricSeries = std::int64_t(m_metrics.overflow());
        if (stopping) {
            publish(m_aggregator.takeAll(), false);
            flushHeld();
        } else {
            publish(m_aggregator.takeClosed(nowNs()), true);
            if (idle)
                flushHeld();
            const TimeNs now = nowNs();
            // The live windows merge every service's last hour: a few times a second is live enough, and
            // after every batch it cost more than the batch with a thousand services.
            if (now - m_lastLivePublish >= kLivePublishInterval) {
                m_lastLivePublish = now;
                m_live.publish(m_aggregator.peekOpenServiceMinutes());
            }
            // Wall-clock alert work (silent services, repeats) about once a second.
            if (m_alerts && now - m_lastAlertTick >= kNsPerSec) {
                m_lastAlertTick = now;
                std::map<std::string, TimeNs> received = m_knownReceived;
                for (const auto &[service, at] : m_aggregator.lastReceived())
                    received[service] = std::max(received[service], at);
                m_alerts->tick(received, now, [this](AlertChanges &&changes) {
                    auto job = std::make_unique<WriteJob>();
                    job->alerts = std::move(changes);
                    m_store->submit(std::move(job));
                });
            }
        }
        // After what came before them, so that the store deletes every row analysis wrote for them.
        if (!purges.empty())
            flushHeld();
        for (std::unique_ptr<WriteJob> &purge : purges) {
            forgetServices(purge->purgeServicePrefix);
            m_store->submit(std::move(purge));
        }
        if (stopping)
            return;
        m_trimmer.poll(m_stats.eventsAnalysed + m_stats.metricSamplesAnalysed, idle, nowNs());
        m_stats.heapTrims = m_trimmer.trims();
        if (nowNs() - m_lastSizing >= 10 * kNsPerSec) {
            m_lastSizing = nowNs();
            std::size_t bytes = 0;
            m_routeBytes = 0;
            for (const auto &[key, slot] : m_detectors) {
                const std::size_t b = slot.detector.memoryBytes();
                bytes += b;
                m_routeBytes += key.second.empty() ? 0 : b;
            }
            // Detectors grow with their history: the budget is kept here too, not only when routes arrive.
            while (m_routeBytes > m_routeBudgetBytes && evictIdleRoute()) {
            }
            m_stats.detectors = std::int64_t(m_detectors.size());
            m_stats.detectorBytes = std::int64_t(bytes);
        }
    }
}

void AnalysisWorker::addLog(const LogRecord &r)
{
    m_aggregator.add(r);
    m_templates.add(r);
    ++m_stats.eventsAnalysed;
}

void AnalysisWorker::analyse(const IngestBatch &batch)
{
    // Rows committed before this batch that never came through the hand-off come from the store first.
    if (m_openReader && ((batch.firstLogId > m_logsThrough + 1) || (batch.firstPointId > m_pointsThrough + 1)))
        while (readBack(batch.firstLogId ? batch.firstLogId - 1 : m_logsThrough,
                        batch.firstPointId ? batch.firstPointId - 1 : m_pointsThrough) > 0) {
        }
    for (std::size_t i = 0; i < batch.logs.size(); ++i) {
        const std::int64_t id = batch.firstLogId ? batch.firstLogId + std::int64_t(i) : 0;
        if (id && id <= m_logsThrough)
            continue; // already read from the store
        addLog(batch.logs[i]);
        m_logsThrough = std::max(m_logsThrough, id);
    }
    for (std::size_t i = 0; i < batch.metrics.size(); ++i) {
        const std::int64_t id = batch.firstPointId ? batch.firstPointId + std::int64_t(i) : 0;
        if (id && id <= m_pointsThrough)
            continue;
        m_metrics.add(batch.metrics[i]);
        ++m_stats.metricSamplesAnalysed;
        m_pointsThrough = std::max(m_pointsThrough, id);
    }
    m_stats.logsThrough = m_logsThrough;
    m_stats.pointsThrough = m_pointsThrough;
}

std::size_t AnalysisWorker::readBack(std::int64_t logsThrough, std::int64_t pointsThrough)
{
    if (!m_reader)
        m_reader = m_openReader();
    std::size_t n = 0;
    if (logsThrough > m_logsThrough) {
        for (const StoredLog &row : m_reader->logsInCommitOrder(m_logsThrough, logsThrough, kReadBackPage)) {
            addLog(row.record);
            m_logsThrough = row.id;
            ++n;
        }
    }
    if (pointsThrough > m_pointsThrough) {
        for (const StoredPoint &p : m_reader->pointsInCommitOrder(m_pointsThrough, pointsThrough, kReadBackPage)) {
            m_metrics.add(p.sample);
            ++m_stats.metricSamplesAnalysed;
            m_pointsThrough = p.id;
            ++n;
        }
    }
    m_stats.eventsFromStore += std::int64_t(n);
    m_stats.logsThrough = m_logsThrough;
    m_stats.pointsThrough = m_pointsThrough;
    return n;
}

void AnalysisWorker::catchUp()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_behind || !m_openReader)
            return;
    }
    m_stats.catchingUp = true;
    for (;;) {
        // A page at a time, closing minutes as they complete, so that a backfill never piles up in memory.
        const std::size_t n = readBack(std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max());
        if (n > 0) {
            publish(m_aggregator.takeClosed(nowNs()), true);
            std::lock_guard lock(m_mutex);
            if (!m_stopping)
                continue;
        }
        // Nothing newer in the store: back to the hand-off. Rows committed meanwhile that missed it are
        // read as a gap before the next batch.
        std::lock_guard lock(m_mutex);
        m_behind = false;
        break;
    }
    m_stats.catchingUp = false;
}

std::string AnalysisWorker::positionJson() const
{
    return "{\"logs\":" + std::to_string(m_logsThrough) + ",\"points\":" + std::to_string(m_pointsThrough) + "}";
}

void AnalysisWorker::setDetectionSettings(const DetectionSettings &settings)
{
    std::lock_guard lock(m_mutex);
    m_pendingSettings = settings;
    m_settingsChanged = true;
    m_wake.notify_one();
}

DegradationDetector *AnalysisWorker::detectorFor(const std::string &service, const std::string &endpoint,
                                                 TimeNs minute)
{
    m_newestMinute = std::max(m_newestMinute, minute);
    auto it = m_detectors.find({service, endpoint});
    if (it == m_detectors.end()) {
        DegradationDetector fresh(service, endpoint);
        if (!endpoint.empty()) {
            const std::size_t bytes = fresh.memoryBytes();
            while (m_routeBytes + bytes > m_routeBudgetBytes)
                if (!evictIdleRoute()) {
                    ++m_stats.overflowRouteDetectors;
                    return nullptr;
                }
            m_routeBytes += bytes;
        }
        fresh.configure(m_settings.forMinutes, m_settings.clearMinutes, std::size_t(m_settings.warmupMinutes),
                        m_settings.activeAt(), m_settings.extremeAt());
        it = m_detectors.emplace(std::pair{service, endpoint}, DetectorSlot{std::move(fresh), minute}).first;
        // A route let go before relearns its stored minutes, as after a restart.
        if (m_evictedRoutes.erase(it->first) && m_openReader) {
            try {
                if (!m_reader)
                    m_reader = m_openReader();
                it->second.detector.learnHistory(m_reader->kpiRollups(service, endpoint, minute - kWarmUpHistory, minute));
                ++m_stats.rebuiltRouteDetectors;
            } catch (const std::exception &e) {
                qWarning("route detector not rebuilt: %s", e.what()); // it learns from live minutes instead
            }
        }
    }
    it->second.lastMinute = std::max(it->second.lastMinute, minute);
    return &it->second.detector;
}

bool AnalysisWorker::evictIdleRoute()
{
    auto oldest = m_detectors.end();
    for (auto it = m_detectors.begin(); it != m_detectors.end(); ++it)
        if (!it->first.second.empty() && it->second.lastMinute + kRouteIdleTime <= m_newestMinute
            && !it->second.detector.isOpen() && (oldest == m_detectors.end() || it->second.lastMinute < oldest->second.lastMinute))
            oldest = it;
    if (oldest == m_detectors.end())
        return false;
    m_routeBytes -= std::min(m_routeBytes, oldest->second.detector.memoryBytes());
    m_evictedRoutes.insert(oldest->first);
    m_detectors.erase(oldest);
    ++m_stats.evictedRouteDetectors;
    return true;
}

void AnalysisWorker::hold(std::unique_ptr<WriteJob> job)
{
    const TimeNs now = nowNs();
    if (!m_held) {
        m_held = std::move(job);
        m_heldSince = now;
    } else {
        auto append = [](auto &to, auto &from) { std::move(from.begin(), from.end(), std::back_inserter(to)); };
        append(m_held->rollups, job->rollups);
        append(m_held->anomalies, job->anomalies);
        append(m_held->templates, job->templates);
        append(m_held->templateMinutes, job->templateMinutes);
        m_held->settings = std::move(job->settings); // the newer position
    }
    if (m_held->rollups.size() >= kHeldRollups || now - m_heldSince >= kHeldWait)
        flushHeld();
}

void AnalysisWorker::flushHeld()
{
    if (m_held)
        m_store->submit(std::move(m_held));
}

void AnalysisWorker::publish(std::vector<KpiRollup> rollups, bool detect)
{
    auto job = std::make_unique<WriteJob>();
    job->templates = m_templates.takeUpdates();
    job->templateMinutes = m_templates.takeMinuteCounts();
    if (detect)
        job->anomalies = m_metrics.takeClosed(nowNs());
    m_stats.anomalyUpdates += std::int64_t(job->anomalies.size());
    if (rollups.empty() && job->templates.empty() && job->anomalies.empty())
        return;
    job->settings.emplace_back(kPositionKey, positionJson());
    std::vector<std::pair<std::string, TimeNs>> newErrorMinutes;
    for (const KpiRollup &k : rollups) {
        if (k.endpoint.empty())
            m_live.record(k);
        if (!detect || k.late)
            continue;
        // New error templates belong to the service as a whole, not to a route.
        std::vector<std::string> newErrors;
        if (k.endpoint.empty()) {
            m_templates.forgetNewErrorsBefore(k.service, k.start);
            newErrors = m_templates.takeNewErrorTemplates(k.service, k.start);
            if (!newErrors.empty())
                newErrorMinutes.emplace_back(k.service, k.start);
        }
        DegradationDetector *detector = detectorFor(k.service, k.endpoint, k.start);
        if (!detector)
            continue;
        if (auto anomaly = detector->update(k, newErrors)) {
            ++m_stats.anomalyUpdates;
            job->anomalies.push_back(std::move(*anomaly));
        }
    }
    m_stats.rollupsWritten += std::int64_t(rollups.size());
    if (m_alerts && detect) {
        // Submitted from inside the evaluator, so that its changes keep their order with the API's.
        m_alerts->onMinutes(rollups, job->anomalies, newErrorMinutes, nowNs(), [&](AlertChanges &&changes) {
            if (changes.empty())
                return;
            auto alerts = std::make_unique<WriteJob>();
            alerts->alerts = std::move(changes);
            m_store->submit(std::move(alerts));
        });
    }
    job->rollups = std::move(rollups);
    hold(std::move(job));
}

void AnalysisWorker::purgeServices(const std::string &prefix, std::function<void(const WriteOutcome &)> done)
{
    // Through the store first: once an empty job there is done, every batch committed before it has been
    // handed to analysis (the store hands a job's rows over before it takes the next job's outcome), so
    // the purge below comes after them in analysis' queue and nothing of theirs is written afterwards.
    auto barrier = std::make_unique<WriteJob>();
    barrier->done = [this, prefix, done = std::move(done)](const WriteOutcome &) mutable { queuePurge(prefix, std::move(done)); };
    m_store->submit(std::move(barrier));
}

void AnalysisWorker::queuePurge(const std::string &prefix, std::function<void(const WriteOutcome &)> done)
{
    auto job = std::make_unique<WriteJob>();
    job->purgeServicePrefix = prefix;
    job->done = std::move(done);
    std::lock_guard lock(m_mutex);
    if (!m_running || m_stopping) {
        m_store->submit(std::move(job)); // nothing in memory to forget
        return;
    }
    m_purges.push_back(std::move(job));
    m_wake.notify_one();
}

void AnalysisWorker::forgetServices(const std::string &prefix)
{
    m_aggregator.forgetServices(prefix);
    m_templates.forgetServices(prefix);
    m_metrics.forgetServices(prefix);
    m_live.forgetServices(prefix);
    std::erase_if(m_knownReceived, [&prefix](const auto &entry) { return entry.first.starts_with(prefix); });
    for (auto it = m_detectors.begin(); it != m_detectors.end();) {
        if (it->first.first.starts_with(prefix)) {
            if (!it->first.second.empty())
                m_routeBytes -= std::min(m_routeBytes, it->second.detector.memoryBytes());
            it = m_detectors.erase(it);
        } else {
            ++it;
        }
    }
    std::erase_if(m_evictedRoutes, [&prefix](const auto &route) { return route.first.starts_with(prefix); });
    if (m_alerts)
        m_alerts->forgetServices(prefix);
}

} // namespace fg
