#include "analysisworker.h"

#include <chrono>

#include "alerting/alertevaluator.h"
#include "store/storewriter.h"

namespace fg {

AnalysisWorker::AnalysisWorker(StoreWriter *store, KpiAggregator::Limits limits, std::size_t maxQueuedEvents,
                               std::size_t maxRouteDetectors)
    : m_store(store), m_aggregator(limits), m_maxQueued(maxQueuedEvents), m_maxRouteDetectors(maxRouteDetectors)
{
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
    std::lock_guard lock(m_mutex);
    if (!m_running || m_stopping || m_queued + n > m_maxQueued) {
        m_stats.eventsDropped += std::int64_t(n);
        return;
    }
    m_queued += n;
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

void AnalysisWorker::run()
{
    for (;;) {
        std::deque<IngestBatch> batches;
        bool stopping;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::seconds(1), [this] { return !m_queue.empty() || m_stopping; });
            batches.swap(m_queue);
            m_queued = 0;
            stopping = m_stopping;
            if (m_settingsChanged) {
                m_settings = m_pendingSettings;
                m_settingsChanged = false;
                for (auto &[key, d] : m_detectors)
                    d.configure(m_settings.forMinutes, m_settings.clearMinutes, std::size_t(m_settings.warmupMinutes),
                                m_settings.activeAt(), m_settings.extremeAt());
            }
        }
        for (const IngestBatch &batch : batches) {
            for (const LogRecord &r : batch.logs) {
                m_aggregator.add(r);
                m_templates.add(r);
            }
            for (const MetricSample &m : batch.metrics)
                m_metrics.add(m);
            m_stats.eventsAnalysed += std::int64_t(batch.logs.size());
            m_stats.metricSamplesAnalysed += std::int64_t(batch.metrics.size());
        }
        m_stats.overflowServices = std::int64_t(m_aggregator.overflowServices());
        m_stats.overflowEndpoints = std::int64_t(m_aggregator.overflowEndpoints());
        m_stats.overflowTemplates = std::int64_t(m_templates.overflow());
        m_stats.overflowMetricSeries = std::int64_t(m_metrics.overflow());
        if (stopping) {
            publish(m_aggregator.takeAll(), false);
        } else {
            publish(m_aggregator.takeClosed(nowNs()), true);
            m_live.publish(m_aggregator.peekOpenServiceMinutes());
            // Wall-clock alert work (silent services, repeats) about once a second.
            const TimeNs now = nowNs();
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
        if (stopping)
            return;
    }
}

void AnalysisWorker::setDetectionSettings(const DetectionSettings &settings)
{
    std::lock_guard lock(m_mutex);
    m_pendingSettings = settings;
    m_settingsChanged = true;
    m_wake.notify_one();
}

DegradationDetector *AnalysisWorker::detectorFor(const std::string &service, const std::string &endpoint)
{
    auto it = m_detectors.find({service, endpoint});
    if (it == m_detectors.end()) {
        if (!endpoint.empty() && m_routeDetectors >= m_maxRouteDetectors) {
            ++m_stats.overflowRouteDetectors;
            return nullptr;
        }
        m_routeDetectors += endpoint.empty() ? 0 : 1;
        it = m_detectors.emplace(std::pair{service, endpoint}, DegradationDetector(service, endpoint)).first;
        it->second.configure(m_settings.forMinutes, m_settings.clearMinutes, std::size_t(m_settings.warmupMinutes),
                             m_settings.activeAt(), m_settings.extremeAt());
    }
    return &it->second;
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
        DegradationDetector *detector = detectorFor(k.service, k.endpoint);
        if (!detector)
            continue;
        if (auto anomaly = detector->update(k, newErrors)) {
            ++m_stats.anomalyUpdates;
            job->anomalies.push_back(std::move(*anomaly));
        }
    }
    m_stats.rollupsWritten += std::int64_t(rollups.size());
    if (!m_alerts || !detect) {
        job->rollups = std::move(rollups);
        return m_store->submit(std::move(job));
    }
    // Submitted from inside the evaluator, so that its changes keep their order with the API's.
    m_alerts->onMinutes(rollups, job->anomalies, newErrorMinutes, nowNs(), [&](AlertChanges &&changes) {
        job->alerts = std::move(changes);
        job->rollups = std::move(rollups);
        m_store->submit(std::move(job));
    });
}

} // namespace fg
