// ApiRouter's self-metrics: the route labels, GET /metrics (Prometheus text exposition) and GET
// /api/ingest/sources, kept apart
// from the query and settings routes.
#include "apirouter.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cstdio>

#include "analysis/analysisworker.h"
#include "apierror.h"
#include "ingest/inflightbudget.h"
#include "ingestinspector.h"
#include "ingestroute.h"
#include "selfmetrics.h"
#include "store/storewriter.h"
#include "websockethub.h"

namespace fg {

const char *ApiRouter::routeName(Route route)
{
    switch (route) {
    case Route::IngestLogs: return "/api/ingest/logs";
    case Route::IngestMetrics: return "/api/ingest/metrics";
    case Route::OtlpLogs: return "/v1/logs";
    case Route::OtlpMetrics: return "/v1/metrics";
    case Route::OtlpTraces: return "/v1/traces";
    case Route::LokiPush: return "/loki/api/v1/push";
    case Route::RawIngest: return "/ingest";
    case Route::SelfMetrics: return "/metrics";
    case Route::Health: return "/api/health";
    case Route::Ready: return "/api/ready";
    case Route::Services: return "/api/services";
    case Route::Logs: return "/api/logs";
    case Route::Trace: return "/api/traces/{trace_id}";
    case Route::Metrics: return "/api/metrics";
    case Route::Config: return "/api/config";
    case Route::Kpis: return "/api/kpis";
    case Route::Anomalies: return "/api/anomalies";
    case Route::ServicesHealth: return "/api/health/services";
    case Route::ServiceHealth: return "/api/health/services/{name}";
    case Route::ErrorPatterns: return "/api/analytics/errors/patterns";
    case Route::GetDetectionSettings:
    case Route::PutDetectionSettings: return "/api/settings/detection";
    case Route::GetTagSettings:
    case Route::PutTagSettings: return "/api/settings/tags";
    case Route::LiveKpis: return "/api/kpis/live";
    case Route::IngestRejections: return "/api/ingest/rejections";
    case Route::IngestSources: return "/api/ingest/sources";
    case Route::Alerting: return "alerting";
    case Route::Channels: return "channels";
    case Route::ClearDemo: return "/api/demo";
    case Route::WebSocket: return "/ws";
    case Route::ElasticBulk: return "/_bulk";
    case Route::ElasticProbe: return "elasticsearch probes";
    case Route::SignalLogs: return "/ingest/logs";
    case Route::SignalTraces: return "/ingest/traces";
    case Route::SignalMetrics: return "/ingest/metrics";
    case Route::LogStream: return "/api/logs/stream/{service}";
    case Route::RealtimeMetrics: return "/metrics/realtime";
    case Route::HistoricalMetrics: return "/metrics/historical";
    case Route::Events: return "/events";
    case Route::EventBatch: return "/events/batch";
    case Route::EventList: return "/events";
    case Route::EventById: return "/events/{id}";
    case Route::EventAggregations: return "/events/aggregations";
    case Route::RegisterService: return "/api/logs/services/register";
    }
    return "unmatched";
}

HttpResponse ApiRouter::ingestSources() const
{
    // Every route ingestRoute() knows, so a new ingest route is listed without being named here.
    constexpr int kRouteValues = 128;
    static_assert(int(Route::IngestSources) < kRouteValues);
    const std::map<std::string, TimeNs> last = m_inspector->lastAccepted();
    QJsonArray items;
    for (int i = 0; i < kRouteValues; ++i) {
        const IngestRoute *r = ingestRoute(Route(i));
        if (!r)
            continue;
        const IngestCounters &c = r->counters();
        const char *path = routeName(Route(i));
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
