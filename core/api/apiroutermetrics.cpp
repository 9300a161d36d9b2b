// ApiRouter's probes and self-metrics: /api/health and /api/ready (and at the root), GET /metrics
// (Prometheus text exposition), GET /api/ingest/rejections and /api/ingest/sources.
#include "apirouter.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>
#include <set>

#include "analysis/analysisworker.h"
#include "apierror.h"
#include "auth/authmode.h"
#include "ingest/decodepool.h"
#include "ingest/inflightbudget.h"
#include "ingest/seriesregistry.h"
#include "ingest/serviceregistry.h"
#include "ingestinspector.h"
#include "ingestroute.h"
#include "ingeststats.h"
#include "queryrunner.h"
#include "selfmetrics.h"
#include "store/integritychecker.h"
#include "store/storewriter.h"
#include "websockethub.h"

#ifndef FLOWGUARD_VERSION
#define FLOWGUARD_VERSION "0.0.0"
#endif

namespace fg {

void ApiRouter::addSelfMetricsRoutes()
{
    auto send = [](std::function<HttpResponse()> answer) {
        return [answer = std::move(answer)](HttpRequest &, const RouteParams &, const HttpResponder &out) { out.send(answer()); };
    };
    auto ready = [this] {
        const bool ready = m_deps.writer->stats().healthy && !m_deps.writer->stats().diskFull;
        return ready ? jsonResponse(200, QJsonObject{{QStringLiteral("ready"), true}})
                     : apiError(503, QStringLiteral("storage is not ready"));
    };
    // The probes need no token under /api; at the root as well, where load balancers, Loki clients and
    // Kubernetes probes look (there with the ingest scope, as every path outside /api).
    m_routes.add({"GET", "/health", TokenScope::Ingest, send([this] { return health(); }), "/api/health"});
    m_routes.add({"GET", "/ready", TokenScope::Ingest, send(ready), "/api/ready"});
    m_routes.add({"GET", "/api/health", std::nullopt, send([this] { return health(); })});
    m_routes.add({"GET", "/api/ready", std::nullopt, send(ready)});
    m_routes.add({"GET", "/metrics", TokenScope::Ingest, send([this] { return prometheus(); })});
    m_routes.add({"GET", "/api/ingest/rejections", TokenScope::Ingest, send([this] {
                      return jsonResponse(200, QJsonObject{{QStringLiteral("items"), m_inspector->rejectionsJson()},
                                                           {QStringLiteral("capacity"), int(IngestInspector::kCapacity)}});
                  })});
    m_routes.add({"GET", "/api/ingest/sources", TokenScope::Ingest, send([this] { return ingestSources(); })});
}

HttpResponse ApiRouter::health() const
{
    const StoreStats &s = m_deps.writer->stats();
    const IngestStats &i = *m_deps.ingestStats;
    const QueryRunner::Stats queries = m_deps.queries->stats();
    const DecodePool::Stats decoding = m_deps.decoders->stats();
    const IntegrityChecker::State integrity = m_deps.integrity->state();
    const bool ok = s.healthy && !s.diskFull && integrity != IntegrityChecker::State::Corrupt && !queries.saturated();
    return jsonResponse(
        200,
        QJsonObject{
            {QStringLiteral("status"), ok ? QStringLiteral("ok") : QStringLiteral("degraded")},
            {QStringLiteral("version"), QStringLiteral(FLOWGUARD_VERSION)},
            {QStringLiteral("uptime_s"), m_uptime.elapsed() / 1000},
            // "disabled": reachable from the network without tokens (--insecure-no-auth).
            {QStringLiteral("auth"), QLatin1String(authModeName(m_deps.authMode))},
            // HTTPS only (--tls-cert/--tls-key); handshakes that failed or timed out, counted instead of logged.
            {QStringLiteral("tls"),
             QJsonObject{{QStringLiteral("enabled"), m_configJson.value(QStringLiteral("tls"))},
                         {QStringLiteral("handshake_failures"), qint64(i.tlsHandshakeFailures)}}},
            {QStringLiteral("db"),
             QJsonObject{{QStringLiteral("ok"), bool(s.healthy) && !s.diskFull},
                         {QStringLiteral("disk_full"), bool(s.diskFull)},
                         // quick_check in the background: "unchecked" until it has run once.
                         {QStringLiteral("integrity"), integrity == IntegrityChecker::State::Ok        ? QStringLiteral("ok")
                                                       : integrity == IntegrityChecker::State::Corrupt ? QStringLiteral("corrupt")
                                                                                                       : QStringLiteral("unchecked")},
                         {QStringLiteral("integrity_problem"),
                          integrity == IntegrityChecker::State::Corrupt ? QJsonValue(QString::fromStdString(m_deps.integrity->problem()))
                                                                        : QJsonValue()},
                         {QStringLiteral("path"), m_configJson.value(QStringLiteral("db"))},
                         {QStringLiteral("size_bytes"), qint64(s.dbBytes)},
                         {QStringLiteral("wal_bytes"), qint64(s.walBytes)},
                         {QStringLiteral("wal_restarts"), qint64(s.walRestarts)},
                         {QStringLiteral("logs"), qint64(s.logsStored)},
                         // Log events not yet sealed into chunks (a migrated database's backlog shrinking).
                         {QStringLiteral("logs_staged"), qint64(s.logsStaged)},
                         // Small chunks merged into full ones while the writer was idle, and whether some wait.
                         {QStringLiteral("chunks_merged"), qint64(s.chunksMerged)},
                         {QStringLiteral("compaction_pending"), bool(s.compactionPending)},
                         {QStringLiteral("metric_points"), qint64(s.metricsStored)},
                         {QStringLiteral("commits"), qint64(s.commits)},
                         {QStringLiteral("jobs_failed"), qint64(s.jobsFailed)},
                         {QStringLiteral("group_retries"), qint64(s.groupRetries)},
                         {QStringLiteral("retention_deleted"), qint64(s.retentionDeleted)}}},
            {QStringLiteral("queue_depth"), qint64(s.queuedJobs)},
            {QStringLiteral("queries"),
             QJsonObject{{QStringLiteral("threads"), queries.threads},
                         {QStringLiteral("running"), queries.running},
                         {QStringLiteral("queued"), queries.queued},
                         {QStringLiteral("saturated"), queries.saturated()},
                         {QStringLiteral("timed_out"), qint64(queries.timedOut)},
                         {QStringLiteral("cancelled"), qint64(queries.cancelled)},
                         {QStringLiteral("refused"), qint64(queries.refused)}}},
            // Ingest bodies waiting for a decode worker; refused (503) once kMaxQueued wait.
            {QStringLiteral("decoding"),
             QJsonObject{{QStringLiteral("threads"), decoding.threads},
                         {QStringLiteral("queued"), decoding.queued},
                         {QStringLiteral("refused"), qint64(decoding.refused)}}},
            {QStringLiteral("analysis"),
             QJsonObject{{QStringLiteral("events"), qint64(m_deps.analysis->stats().eventsAnalysed)},
                         {QStringLiteral("dropped"), qint64(m_deps.analysis->stats().eventsDropped)},
                         // Analysis lags rather than drops: what it has yet to read, and how much it read back.
                         {QStringLiteral("lag_events"), qint64(m_deps.analysis->stats().lagEvents(s.lastLogId, s.lastPointId))},
                         {QStringLiteral("catching_up"), bool(m_deps.analysis->stats().catchingUp)},
                         {QStringLiteral("warming"), bool(m_deps.analysis->stats().warming)},
                         {QStringLiteral("warmed_detectors"), qint64(m_deps.analysis->stats().warmedDetectors)},
                         {QStringLiteral("events_from_store"), qint64(m_deps.analysis->stats().eventsFromStore)},
                         {QStringLiteral("kpi_minutes_written"), qint64(m_deps.analysis->stats().rollupsWritten)},
                         {QStringLiteral("anomaly_updates"), qint64(m_deps.analysis->stats().anomalyUpdates)},
                         {QStringLiteral("metric_samples"), qint64(m_deps.analysis->stats().metricSamplesAnalysed)},
                         {QStringLiteral("overflow_metric_series"), qint64(m_deps.analysis->stats().overflowMetricSeries)},
                         {QStringLiteral("overflow_services"), qint64(m_deps.analysis->stats().overflowServices)},
                         {QStringLiteral("overflow_endpoints"), qint64(m_deps.analysis->stats().overflowEndpoints)},
                         {QStringLiteral("overflow_templates"), qint64(m_deps.analysis->stats().overflowTemplates)},
                         {QStringLiteral("overflow_route_detectors"), qint64(m_deps.analysis->stats().overflowRouteDetectors)},
                         {QStringLiteral("evicted_route_detectors"), qint64(m_deps.analysis->stats().evictedRouteDetectors)},
                         {QStringLiteral("rebuilt_route_detectors"), qint64(m_deps.analysis->stats().rebuiltRouteDetectors)},
                         {QStringLiteral("heap_trims"), qint64(m_deps.analysis->stats().heapTrims)},
                         {QStringLiteral("detectors"), qint64(m_deps.analysis->stats().detectors)},
                         {QStringLiteral("detector_bytes"), qint64(m_deps.analysis->stats().detectorBytes)},
                         {QStringLiteral("route_budget_bytes"), qint64(m_deps.analysis->routeBudgetBytes())}}},
            {QStringLiteral("inflight_bytes"), qint64(m_deps.budget->used())},
            {QStringLiteral("services"),
             QJsonObject{{QStringLiteral("count"), m_deps.services->count()},
                         {QStringLiteral("max"), m_deps.services->max()},
                         {QStringLiteral("refused_items"), qint64(m_deps.services->refusedItems())}}},
            {QStringLiteral("series"),
             QJsonObject{{QStringLiteral("count"), m_deps.series->count()},
                         {QStringLiteral("max"), m_deps.series->maxTotal()},
                         {QStringLiteral("max_per_service"), m_deps.series->maxPerService()},
                         {QStringLiteral("refused_items"), qint64(m_deps.series->refusedItems())}}},
            {QStringLiteral("ingest"),
             QJsonObject{{QStringLiteral("requests"), qint64(i.requests)},
                         {QStringLiteral("accepted"), qint64(i.itemsAccepted)},
                         {QStringLiteral("rejected"), qint64(i.itemsRejected)},
                         {QStringLiteral("duplicates"), qint64(s.duplicates)},
                         {QStringLiteral("overloaded"), qint64(i.overloaded)},
                         {QStringLiteral("bytes"), qint64(i.bytesReceived)}}},
        });
}

HttpResponse ApiRouter::ingestSources() const
{
    // Every ingest route of the table, so a new one is listed without being named here.
    const std::map<std::string, TimeNs> last = m_inspector->lastAccepted();
    QJsonArray items;
    std::set<const IngestRoute *> listed; // one item per endpoint, whatever its number of patterns
    for (const Route *route : m_routes.routes()) {
        const IngestRoute *r = route->ingest;
        if (!r || !listed.insert(r).second)
            continue;
        const IngestCounters &c = r->counters();
        const char *path = route->name();
        const auto seen = last.find(path);
        items.append(QJsonObject{
            {QStringLiteral("route"), QLatin1String(path)},
            {QStringLiteral("protocol"), QLatin1String(c.protocol)},
            {QStringLiteral("signal"), QLatin1String(c.signal)},
            {QStringLiteral("requests"), qint64(c.requests.load())},
            {QStringLiteral("accepted"), qint64(c.accepted.load())},
            {QStringLiteral("rejected"), qint64(c.rejected.load())},
            {QStringLiteral("last_accepted_at"),
             seen == last.end() ? QJsonValue() : QJsonValue(QString::fromStdString(formatIsoMs(seen->second)))}});
    }
    return jsonResponse(200, QJsonObject{{QStringLiteral("items"), items}});
}

HttpResponse ApiRouter::prometheus() const
{
    PrometheusText out;
    const IngestRoute *routes[] = {m_ingestLogs.get(), m_ingestMetrics.get(), m_otlpLogs.get(), m_otlpMetrics.get(),
                                   m_otlpTraces.get(), m_lokiPush.get(), m_rawIngest.get(), m_wsLogs.get(), m_wsMetrics.get(),
                                   m_elasticBulk.get(), m_syslog.get(), m_signalLogs.get(), m_signalTraces.get(),
                                   m_signalMetrics.get(), m_logStream.get()};
    auto labels = [](const IngestCounters &c) {
        return PrometheusText::label("protocol", c.protocol) + "," + PrometheusText::label("signal", c.signal);
    };
    out.family("flowguard_events_total", "counter", "Items committed to the database, by protocol and signal.");
    for (const IngestRoute *r : routes)
        out.sample("flowguard_events_total", labels(r->counters()), double(r->counters().accepted.load()));
    out.family("flowguard_ingest_rejected_total", "counter", "Items refused (partial success or 4xx), by protocol and signal.");
    for (const IngestRoute *r : routes)
        out.sample("flowguard_ingest_rejected_total", labels(r->counters()), double(r->counters().rejected.load()));
    out.family("flowguard_ingest_requests_total", "counter", "Ingest requests received, by protocol and signal.");
    for (const IngestRoute *r : routes)
        out.sample("flowguard_ingest_requests_total", labels(r->counters()), double(r->counters().requests.load()));
    out.family("flowguard_ingest_commit_duration_seconds", "histogram",
               "Time from an ingest request's arrival to its commit, by protocol and signal.");
    for (const IngestRoute *r : routes) {
        const IngestCounters &c = r->counters();
        std::int64_t cumulative = 0;
        for (std::size_t i = 0; i <= IngestCounters::kBounds.size(); ++i) {
            cumulative += c.buckets[i].load();
            char le[32];
            if (i < IngestCounters::kBounds.size())
                std::snprintf(le, sizeof le, "%g", IngestCounters::kBounds[i]);
            else
                std::snprintf(le, sizeof le, "+Inf");
            out.sample("flowguard_ingest_commit_duration_seconds_bucket", labels(c) + "," + PrometheusText::label("le", le),
                       double(cumulative));
        }
        out.sample("flowguard_ingest_commit_duration_seconds_sum", labels(c), double(c.durationMicros.load()) / 1e6);
        out.sample("flowguard_ingest_commit_duration_seconds_count", labels(c), double(cumulative));
    }
    out.family("flowguard_http_requests_total", "counter", "HTTP answers by route and status.");
    for (const auto &[key, count] : m_httpCounters->snapshot())
        out.sample("flowguard_http_requests_total",
                   PrometheusText::label("route", key.first) + "," + PrometheusText::label("status", std::to_string(key.second)),
                   double(count));
    const StoreStats &s = m_deps.writer->stats();
    out.family("flowguard_store_queue_jobs", "gauge", "Write jobs waiting for the database writer.");
    out.sample("flowguard_store_queue_jobs", "", double(s.queuedJobs.load()));
    out.family("flowguard_ingest_inflight_bytes", "gauge", "Memory held for ingest requests not yet answered.");
    out.sample("flowguard_ingest_inflight_bytes", "", double(m_deps.budget->used()));
    out.family("flowguard_analysis_lag_events", "gauge", "Committed events analysis has not read yet.");
    out.sample("flowguard_analysis_lag_events", "", double(m_deps.analysis->stats().lagEvents(s.lastLogId, s.lastPointId)));
    out.family("flowguard_stored_rows", "gauge", "Rows in the database by table.");
    out.sample("flowguard_stored_rows", PrometheusText::label("table", "logs"), double(s.logsStored.load()));
    out.sample("flowguard_stored_rows", PrometheusText::label("table", "metric_points"), double(s.metricsStored.load()));
    if (m_configJson.value(QStringLiteral("tls")).toBool()) {
        out.family("flowguard_tls_handshake_failures_total", "counter",
                   "TLS handshakes that failed or did not finish within the head deadline.");
        out.sample("flowguard_tls_handshake_failures_total", "", double(m_deps.ingestStats->tlsHandshakeFailures.load()));
    }
    if (m_ws) {
        out.family("flowguard_websocket_connections", "gauge", "Open WebSocket connections (ingest and live channels).");
        out.sample("flowguard_websocket_connections", "", double(m_ws->connectionCount()));
        out.family("flowguard_websocket_dropped_messages_total", "counter",
                   "Live messages not sent to subscribers whose queue was full.");
        out.sample("flowguard_websocket_dropped_messages_total", "", double(m_ws->droppedMessages()));
    }
    HttpResponse r;
    r.status = 200;
    r.contentType = "text/plain; version=0.0.4; charset=utf-8";
    r.body = QByteArray::fromStdString(out.text());
    return r;
}

} // namespace fg
