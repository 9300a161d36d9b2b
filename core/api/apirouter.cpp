#include "apirouter.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstring>
#include <limits>
#include <map>

#include "alertroutes.h"
#include "channelroutes.h"
#include "demoroute.h"
#include "analysis/analysisworker.h"
#include "analysis/baselineband.h"
#include "analysis/endpointnormalizer.h"
#include "analysis/detectionsettings.h"
#include "analysis/healthscore.h"
#include "analysis/tagger.h"
#include "apierror.h"
#include "config/engineconfig.h"
#include "ingest/inflightbudget.h"
#include "ingest/lokipushdecoder.h"
#include "ingest/nativelogdecoder.h"
#include "ingest/nativemetricdecoder.h"
#include "ingest/otlplogdecoder.h"
#include "ingest/otlpmetricdecoder.h"
#include "ingest/otlptracedecoder.h"
#include "ingest/rawlinedecoder.h"
#include "ingest/seriesregistry.h"
#include "ingest/serviceregistry.h"
#include "ingestinspector.h"
#include "ingeststats.h"
#include "ingestroute.h"
#include "lokidialect.h"
#include "nativedialect.h"
#include "otlpdialect.h"
#include "selfmetrics.h"
#include "traceview.h"
#include "websockethub.h"
#include "elasticdialect.h"
#include "ingest/elasticbulkdecoder.h"
#include "ingest/syslogdecoder.h"
#include "ingest/signalspandecoder.h"
#include "ingest/logstreamdecoder.h"
#include "historicalmetrics.h"
#include "eventqueries.h"
#include "eventsdialect.h"
#include "ingest/eventdecoder.h"
#include "serviceregistration.h"
#include "queryparams.h"
#include "queryrunner.h"
#include "routehelpers.h"
#include "store/integritychecker.h"
#include "store/storereader.h"
#include "store/storewriter.h"

#ifndef FLOWGUARD_VERSION
#define FLOWGUARD_VERSION "0.0.0"
#endif

namespace fg {

namespace {

constexpr int kMaxBuckets = 10'000;

QJsonValue str(const std::string &s) { return s.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(s)); }
QJsonValue iso(TimeNs t) { return QString::fromStdString(formatIsoMs(t)); }

QJsonValue jsonObjectText(const std::string &text)
{
    if (text.empty())
        return QJsonObject();
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

QJsonArray tagsJson(const std::string &wrapped)
{
    QJsonArray tags;
    for (const QString &t : QString::fromStdString(wrapped).split(QLatin1Char(','), Qt::SkipEmptyParts))
        tags.append(t);
    return tags;
}

QJsonObject logJson(const StoredLog &row)
{
    const LogRecord &r = row.record;
    return QJsonObject{
        {QStringLiteral("id"), QString::number(row.id)},
        {QStringLiteral("ts"), iso(r.ts)},
        {QStringLiteral("received_at"), iso(r.received)},
        {QStringLiteral("service"), QString::fromStdString(r.service)},
        {QStringLiteral("level"), QString::fromLatin1(levelName(r.level).data(), qsizetype(levelName(r.level).size()))},
        {QStringLiteral("level_raw"), str(r.levelRaw)},
        {QStringLiteral("message"), QString::fromStdString(r.message)},
        {QStringLiteral("latency_ms"), std::isnan(r.latencyMs) ? QJsonValue() : QJsonValue(r.latencyMs)},
        {QStringLiteral("status_code"), r.statusCode ? QJsonValue(r.statusCode) : QJsonValue()},
        {QStringLiteral("endpoint"), str(r.endpoint)},
        {QStringLiteral("method"), str(r.method)},
        {QStringLiteral("trace_id"), str(r.traceId)},
        {QStringLiteral("span_id"), str(r.spanId)},
        {QStringLiteral("signal_id"), str(r.signalId)},
        {QStringLiteral("attributes"), jsonObjectText(r.attributes)},
        {QStringLiteral("tags"), tagsJson(r.tags)},
    };
}

} // namespace

ApiRouter::ApiRouter(const EngineConfig &config, const QJsonObject &configJson, Deps deps)
    : m_guard(config.listenAddress, config.listenPort, config.allowedHosts, config.allowedOrigins),
      m_authorizer(RequestAuthorizer::Options{deps.authMode, config.rateLimitPerSecond, config.rateLimitBurst,
                                              config.rateLimitLoopback},
                   deps.tokens),
      m_configJson(configJson), m_deps(deps),
      m_alertRoutes(std::make_unique<AlertRoutes>(
          AlertRoutes::Deps{deps.writer, deps.queries, deps.rules, deps.alerts, deps.ids, deps.channels})),
      m_channelRoutes(std::make_unique<ChannelRoutes>(
          ChannelRoutes::Deps{deps.writer, deps.channels, deps.secrets, deps.secretsProblem, deps.ids,
                              config.allowPrivateTargets}))
{
    m_uptime.start();
    m_httpCounters = std::make_shared<HttpCounters>();
    m_inspector = std::make_shared<IngestInspector>();
    const auto native = std::make_shared<const NativeDialect>();
    auto route = [&](std::unique_ptr<IngestDecoder> decoder, std::shared_ptr<const IngestDialect> dialect,
                     const char *protocol, const char *signal) {
        return std::make_unique<IngestRoute>(std::move(decoder), std::move(dialect),
                                             std::make_shared<IngestCounters>(protocol, signal), deps.writer, deps.budget,
                                             deps.ingestStats, deps.tagRules, config.maxDecompressedBytes);
    };
    m_ingestLogs = route(std::make_unique<NativeLogDecoder>(deps.services), native, "native", "logs");
    m_ingestMetrics = route(std::make_unique<NativeMetricDecoder>(deps.services, deps.series), native, "native", "metrics");
    m_otlpLogs = route(std::make_unique<OtlpLogDecoder>(deps.services),
                       std::make_shared<const OtlpDialect>(otlp::Signal::Logs), "otlp", "logs");
    m_otlpMetrics = route(std::make_unique<OtlpMetricDecoder>(deps.services, deps.series, nowNs()),
                          std::make_shared<const OtlpDialect>(otlp::Signal::Metrics), "otlp", "metrics");
    m_otlpTraces = route(std::make_unique<OtlpTraceDecoder>(deps.services),
                         std::make_shared<const OtlpDialect>(otlp::Signal::Traces), "otlp", "spans");
    m_lokiPush = route(std::make_unique<LokiPushDecoder>(deps.services), std::make_shared<const LokiDialect>(), "loki", "logs");
    m_rawIngest = route(std::make_unique<RawLineDecoder>(deps.services), std::make_shared<const NativeDialect>(true),
                        "raw", "logs");
    m_elasticBulk = route(std::make_unique<ElasticBulkDecoder>(deps.services), std::make_shared<const ElasticDialect>(),
                          "elasticsearch", "logs");
    m_syslog = route(std::make_unique<SyslogDecoder>(deps.services), std::make_shared<const NativeDialect>(true), "syslog",
                     "logs");
    m_signalLogs = route(std::make_unique<NativeLogDecoder>(deps.services), native, "signal", "logs");
    m_signalTraces = route(std::make_unique<SignalSpanDecoder>(deps.services), native, "signal", "spans");
    m_signalMetrics = route(std::make_unique<NativeMetricDecoder>(deps.services, deps.series), native, "signal", "metrics");
    m_logStream = route(std::make_unique<LogStreamDecoder>(deps.services), native, "stream", "logs");
    m_events = route(std::make_unique<EventDecoder>(EventDecoder::Shape::Single, deps.services),
                     std::make_shared<const EventsDialect>(false), "events", "logs");
    m_eventBatch = route(std::make_unique<EventDecoder>(EventDecoder::Shape::Batch, deps.services),
                         std::make_shared<const EventsDialect>(true), "events", "logs");
    m_wsLogs = route(std::make_unique<NativeLogDecoder>(deps.services), native, "websocket", "logs");
    m_wsMetrics = route(std::make_unique<NativeMetricDecoder>(deps.services, deps.series), native, "websocket", "metrics");
    if (deps.liveFeed) {
        WebSocketHub::Options options;
        options.maxConnections = deps.maxWebSocketConnections;
        auto internalGet = [this](const QByteArray &path, const QByteArray &query, std::function<void(HttpResponse)> done) {
            HttpRequest r;
            r.method = "GET";
            r.path = path;
            r.target = query.isEmpty() ? path : path + '?' + query;
            r.query = query;
            r.inProcess = true;
            r.receivedAt = nowNs();
            handle(std::move(r), HttpResponder(std::make_shared<ResponseSlot>(std::move(done)), 1));
        };
        m_ws = std::make_unique<WebSocketHub>(
            WebSocketHub::Deps{m_wsLogs.get(), m_wsMetrics.get(), deps.liveFeed, deps.ingestStats, internalGet}, options);
    }
}

IngestRoute *ApiRouter::ingestRoute(Route route) const
{
    switch (route) {
    case Route::IngestLogs: return m_ingestLogs.get();
    case Route::IngestMetrics: return m_ingestMetrics.get();
    case Route::OtlpLogs: return m_otlpLogs.get();
    case Route::OtlpMetrics: return m_otlpMetrics.get();
    case Route::OtlpTraces: return m_otlpTraces.get();
    case Route::LokiPush: return m_lokiPush.get();
    case Route::RawIngest: return m_rawIngest.get();
    case Route::ElasticBulk: return m_elasticBulk.get();
    case Route::SignalLogs: return m_signalLogs.get();
    case Route::SignalTraces: return m_signalTraces.get();
    case Route::SignalMetrics: return m_signalMetrics.get();
    case Route::LogStream: return m_logStream.get();
    case Route::Events: return m_events.get();
    case Route::EventBatch: return m_eventBatch.get();
    default: return nullptr;
    }
}

ApiRouter::~ApiRouter() = default;

ApiRouter::RouteMatch ApiRouter::match(const HttpRequest &request)
{
    QByteArray path = request.path;
    while (path.size() > 1 && path.endsWith('/'))
        path.chop(1);
    struct Entry {
        const char *path;
        const char *method;
        Route route;
    };
    static const Entry kRoutes[] = {
        {"/api/ingest/logs", "POST", Route::IngestLogs}, {"/api/ingest/metrics", "POST", Route::IngestMetrics},
        {"/v1/logs", "POST", Route::OtlpLogs},           {"/v1/metrics", "POST", Route::OtlpMetrics},
        {"/v1/traces", "POST", Route::OtlpTraces},       {"/loki/api/v1/push", "POST", Route::LokiPush},
        {"/ingest", "POST", Route::RawIngest},
        {"/ingest/logs", "POST", Route::SignalLogs},     {"/ingest/traces", "POST", Route::SignalTraces},
        {"/ingest/metrics", "POST", Route::SignalMetrics},
        {"/metrics/realtime", "GET", Route::RealtimeMetrics}, {"/metrics/historical", "GET", Route::HistoricalMetrics}, {"/api/logs/services", "GET", Route::Services},
        // At the root as well: where load balancers, Loki clients and Kubernetes probes look.
        {"/health", "GET", Route::Health},               {"/ready", "GET", Route::Ready},
        {"/metrics", "GET", Route::SelfMetrics},
        {"/api/health", "GET", Route::Health},           {"/api/ready", "GET", Route::Ready},
        {"/api/services", "GET", Route::Services},       {"/api/logs", "GET", Route::Logs},
        {"/api/metrics", "GET", Route::Metrics},         {"/api/config", "GET", Route::Config},
        {"/api/kpis", "GET", Route::Kpis},               {"/api/anomalies", "GET", Route::Anomalies},
        {"/api/health/services", "GET", Route::ServicesHealth},
        {"/api/analytics/errors/patterns", "GET", Route::ErrorPatterns},
        {"/api/settings/detection", "GET", Route::GetDetectionSettings},
        {"/api/settings/detection", "PUT", Route::PutDetectionSettings},
        {"/api/settings/tags", "GET", Route::GetTagSettings},
        {"/api/kpis/live", "GET", Route::LiveKpis},
        {"/api/settings/tags", "PUT", Route::PutTagSettings},
        {"/api/demo", "DELETE", Route::ClearDemo},
        {"/api/ingest/rejections", "GET", Route::IngestRejections},
        {"/api/ingest/sources", "GET", Route::IngestSources},
        {"/events", "POST", Route::Events},              {"/events", "GET", Route::EventList},
        {"/api/logs/services/register", "POST", Route::RegisterService},
    };
    RouteMatch m;
    // Elasticsearch's _bulk and the probes shippers make first; /{index}/_bulk names the default index.
    const bool bulk = path == "/_bulk" || (path.endsWith("/_bulk") && path.count('/') == 2 && !path.startsWith("/_"));
    if (bulk || ElasticProbes::owns(path)) {
        const QByteArray &method = request.method;
        if (bulk ? (method == "POST" || method == "PUT") : (method == "GET" || method == "HEAD"))
            m.route = bulk ? Route::ElasticBulk : Route::ElasticProbe;
        else
            m.allowed = bulk ? "POST, PUT" : "GET, HEAD";
        return m;
    }
    // POST /api/logs/stream/{service} and …/{service}/single.
    static const QByteArray kStream = "/api/logs/stream/";
    if (path.startsWith(kStream) && path.size() > kStream.size()) {
        const QList<QByteArray> rest = path.mid(kStream.size()).split('/');
        if (rest.size() == 1 || (rest.size() == 2 && rest[1] == "single")) {
            if (request.method == "POST")
                m.route = Route::LogStream;
            else
                m.allowed = "POST";
            return m;
        }
    }
    // /events/batch (POST), /events/aggregations and /events/{id} (GET).
    static const QByteArray kEvents = "/events/";
    if (path.startsWith(kEvents) && path.size() > kEvents.size() && !path.mid(kEvents.size()).contains('/')) {
        const QByteArray rest = path.mid(kEvents.size());
        const QByteArray method = rest == "batch" ? "POST" : "GET";
        if (request.method == method)
            m.route = rest == "batch" ? Route::EventBatch : rest == "aggregations" ? Route::EventAggregations : Route::EventById;
        else
            m.allowed = method;
        return m;
    }
    if (WebSocketHub::owns(path)) {
        if (request.method == "GET")
            m.route = Route::WebSocket;
        else
            m.allowed = "GET";
        return m;
    }
    if (AlertRoutes::owns(path, request.method, &m.allowed)) {
        if (m.allowed.isEmpty())
            m.route = Route::Alerting;
        return m;
    }
    if (ChannelRoutes::owns(path, request.method, &m.allowed)) {
        if (m.allowed.isEmpty())
            m.route = Route::Channels;
        return m;
    }
    static const QByteArray kTrace = "/api/traces/";
    if (path.startsWith(kTrace) && path.size() > kTrace.size() && !path.mid(kTrace.size()).contains('/')) {
        if (request.method == "GET")
            m.route = Route::Trace;
        else
            m.allowed = "GET";
        return m;
    }
    // The other route with a parameter here: /api/health/services/{name}.
    static const QByteArray kServiceHealth = "/api/health/services/";
    if (path.startsWith(kServiceHealth) && path.size() > kServiceHealth.size() && !path.mid(kServiceHealth.size()).contains('/')) {
        if (request.method == "GET")
            m.route = Route::ServiceHealth;
        else
            m.allowed = "GET";
        return m;
    }
    for (const Entry &e : kRoutes) {
        if (path != e.path)
            continue;
        if (request.method == e.method)
            m.route = e.route;
        else
            m.allowed += (m.allowed.isEmpty() ? "" : ", ") + QByteArray(e.method);
    }
    return m;
}

std::optional<HttpResponse> ApiRouter::admit(HttpRequest &head)
{
    // Answers given on the head are counted here; the others when handle()'s responder sends them.
    std::optional<HttpResponse> early = admitHead(head);
    if (early) {
        const RouteMatch m = match(head);
        m_httpCounters->count(m.route ? routeName(*m.route) : "unmatched", early->status);
        if (m.route && ingestRoute(*m.route))
            m_inspector->observe(routeName(*m.route), head.peer, head.inProcess, *early, nowNs());
    }
    return early;
}

std::optional<HttpResponse> ApiRouter::admitHead(HttpRequest &head)
{
    if (const QString why = m_guard.checkHost(head); !why.isEmpty())
        return apiError(403, why, QJsonObject{{QStringLiteral("field"), QStringLiteral("Host")}});
    const bool isRead = head.method == "GET" || head.method == "HEAD";
    if (!isRead) {
        if (const QString why = m_guard.checkOrigin(head); !why.isEmpty())
            return apiError(403, why, QJsonObject{{QStringLiteral("field"), QStringLiteral("Origin")}});
    }
    const RouteMatch m = match(head);
    if (head.method == "OPTIONS" && !m.allowed.isEmpty()) {
        // CORS preflight from an allowed origin (checkOrigin passed above).
        HttpResponse r;
        r.status = 204;
        r.headers = {{"Allow", m.allowed + ", OPTIONS"}, {"Access-Control-Allow-Methods", m.allowed}};
        if (head.hasHeader("origin"))
            r.headers.emplace_back("Access-Control-Allow-Origin", head.header("origin"));
        r.headers.emplace_back("Access-Control-Allow-Headers", "Content-Type, Content-Encoding, Authorization, X-API-Key");
        return r;
    }
    if (!m.route) {
        if (!m.allowed.isEmpty()) {
            HttpResponse r = apiError(405, QStringLiteral("%1 is not allowed on %2; use %3")
                                               .arg(QString::fromLatin1(head.method), QString::fromLatin1(head.path),
                                                    QString::fromLatin1(m.allowed)),
                                      QJsonObject{{QStringLiteral("allowed"), QString::fromLatin1(m.allowed)}});
            r.headers.emplace_back("Allow", m.allowed);
            return r;
        }
        return apiError(404, QStringLiteral("no such endpoint: %1").arg(QString::fromLatin1(head.path)),
                        QJsonObject{{QStringLiteral("path"), QString::fromLatin1(head.path)}});
    }
    if (auto refused = m_authorizer.admit(head))
        return refused;
    if (*m.route == Route::WebSocket) {
        // Browsers send their Origin on the upgrade GET: a page elsewhere must not open a socket here.
        if (const QString why = m_guard.checkOrigin(head); !why.isEmpty())
            return apiError(403, why, QJsonObject{{QStringLiteral("field"), QStringLiteral("Origin")}});
        if (!m_ws)
            return apiError(404, QStringLiteral("WebSocket endpoints are not enabled"));
        return m_ws->checkUpgrade(head);
    }
    if (IngestRoute *ingest = ingestRoute(*m.route))
        return ingest->checkHead(head);
    return std::nullopt;
}

void ApiRouter::handle(HttpRequest &&request, HttpResponder plainResponder)
{
    const RouteMatch m = match(request);
    if (*m.route == Route::LogStream) {
        const QByteArray service = request.path.mid(int(sizeof("/api/logs/stream/")) - 1).split('/').value(0);
        request.query = "service=" + service; // items naming no service belong to the path's
    }
    if (*m.route == Route::ElasticBulk) {
        const QByteArray index = request.path.left(request.path.lastIndexOf("/_bulk")).mid(1);
        request.query = index.isEmpty() ? QByteArray() : "service=" + index; // the decoder's default _index
    }
    if (IngestRoute *ingest = ingestRoute(*m.route)) {
        const HttpResponder responder = plainResponder.observed(
            [counters = m_httpCounters, inspector = m_inspector, name = routeName(*m.route), peer = request.peer,
             inProcess = request.inProcess](const HttpResponse &r) {
                counters->count(name, r.status);
                inspector->observe(name, peer, inProcess, r, nowNs());
            });
        ingest->handle(std::move(request), responder);
        return;
    }
    const HttpResponder responder = plainResponder.observed(
        [counters = m_httpCounters, name = routeName(*m.route)](const HttpResponse &r) { counters->count(name, r.status); });
    switch (*m.route) {
    case Route::Health: responder.send(health()); return;
    case Route::SelfMetrics: responder.send(prometheus()); return;
    case Route::Ready: {
        const bool ready = m_deps.writer->stats().healthy && !m_deps.writer->stats().diskFull;
        responder.send(ready ? jsonResponse(200, QJsonObject{{QStringLiteral("ready"), true}})
                             : apiError(503, QStringLiteral("storage is not ready")));
        return;
    }
    case Route::Config: responder.send(jsonResponse(200, m_configJson)); return;
    case Route::Services: services(responder); return;
    case Route::Logs: logs(request, responder); return;
    case Route::Trace: trace(request, responder); return;
    case Route::Metrics: metrics(request, responder); return;
    case Route::Kpis: kpis(request, responder); return;
    case Route::Anomalies: anomalies(request, responder); return;
    case Route::ServicesHealth: health(request, responder, false); return;
    case Route::ErrorPatterns: errorPatterns(request, responder); return;
    case Route::PutDetectionSettings: putDetectionSettings(request, responder); return;
    case Route::GetTagSettings: responder.send(jsonResponse(200, m_deps.tagRules->current()->toJson())); return;
    case Route::PutTagSettings: putTagSettings(request, responder); return;
    case Route::LiveKpis: responder.send(liveKpis(request)); return;
    case Route::IngestRejections:
        responder.send(jsonResponse(200, QJsonObject{{QStringLiteral("items"), m_inspector->rejectionsJson()},
                                                     {QStringLiteral("capacity"), int(IngestInspector::kCapacity)}}));
        return;
    case Route::IngestSources: responder.send(ingestSources()); return;
    case Route::Alerting: m_alertRoutes->handle(request, responder); return;
    case Route::Channels: m_channelRoutes->handle(request, responder); return;
    case Route::ClearDemo: clearDemoData(m_deps.analysis, responder); return;
    case Route::GetDetectionSettings:
        m_deps.queries->run(
            [](StoreReader &reader) {
                return jsonResponse(200, DetectionSettings::stored(reader.setting("detection")).toJson());
            },
            responder);
        return;
    case Route::ServiceHealth: health(request, responder, true); return;
    case Route::ElasticProbe: responder.send(ElasticProbes::answer(request)); return;
    case Route::ElasticBulk:
    case Route::SignalLogs:
    case Route::SignalTraces:
    case Route::SignalMetrics:
    case Route::LogStream: return; // handled by ingestRoute() above
    case Route::RealtimeMetrics: responder.send(realtimeMetrics()); return;
    case Route::HistoricalMetrics: historicalMetrics(request, m_deps.queries, responder); return;
    case Route::EventList: eventList(request, m_deps.queries, responder); return;
    case Route::EventById: eventById(request, m_deps.queries, responder); return;
    case Route::EventAggregations: eventAggregations(request, m_deps.queries, responder); return;
    case Route::RegisterService: registerService(request, m_deps.writer, m_deps.services, responder); return;
    case Route::WebSocket: // only an upgrade reaches the hub (takeUpgrade)
        responder.send(apiError(426, QStringLiteral("this is a WebSocket endpoint: send Upgrade: websocket"),
                                QJsonObject{{QStringLiteral("field"), QStringLiteral("Upgrade")}}));
        return;
    case Route::IngestLogs:
    case Route::IngestMetrics:
    case Route::OtlpLogs:
    case Route::OtlpMetrics:
    case Route::OtlpTraces:
    case Route::LokiPush:
    case Route::RawIngest:
    case Route::Events:
    case Route::EventBatch: return; // handled by ingestRoute() above
    }
}

bool ApiRouter::takeUpgrade(const HttpRequest &head, QTcpSocket *socket, const QByteArray &buffered)
{
    if (!m_ws || !WebSocketHub::owns(head.path) || head.method != "GET")
        return false;
    m_httpCounters->count(routeName(Route::WebSocket), 101);
    m_ws->accept(head, socket, buffered);
    return true;
}

HttpResponse ApiRouter::transportError(int status, const QString &message)
{
    m_httpCounters->count("transport", status);
    if (status == 503)
        m_deps.ingestStats->overloaded++;
    return apiError(status, message);
}

HttpResponse ApiRouter::health() const
{
    const StoreStats &s = m_deps.writer->stats();
    const IngestStats &i = *m_deps.ingestStats;
    const QueryRunner::Stats queries = m_deps.queries->stats();
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
                         {QStringLiteral("logs"), qint64(s.logsStored)},
                         // Log events not yet sealed into chunks (a migrated database's backlog shrinking).
                         {QStringLiteral("logs_staged"), qint64(s.logsStaged)},
                         {QStringLiteral("metric_points"), qint64(s.metricsStored)},
                         {QStringLiteral("commits"), qint64(s.commits)},
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

void ApiRouter::services(const HttpResponder &responder)
{
    m_deps.queries->run(
        [](StoreReader &reader) {
            QJsonArray items;
            for (const ServiceInfo &s : reader.services())
                items.append(QJsonObject{{QStringLiteral("name"), QString::fromStdString(s.name)},
                                         {QStringLiteral("first_seen"), iso(s.firstSeen)},
                                         {QStringLiteral("last_seen"), iso(s.lastSeen)},
                                         {QStringLiteral("log_count"), qint64(s.logCount)},
                                         {QStringLiteral("metric_count"), qint64(s.metricCount)},
                                         // What POST /api/logs/services/register stored (description, team, …).
                                         {QStringLiteral("registration"),
                                          s.registration.empty() ? QJsonValue() : jsonObjectText(s.registration)}});
            return jsonResponse(200, page(items, std::nullopt));
        },
        responder);
}

void ApiRouter::logs(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    LogQuery q;
    if (auto e = params.window(q.window, nowNs()))
        return responder.send(paramError(*e));
    if (auto e = params.level(q.minLevel))
        return responder.send(paramError(*e));
    if (auto e = params.search(q.contains))
        return responder.send(paramError(*e));
    q.service = params.text(QStringLiteral("service")).toStdString();
    q.tag = params.text(QStringLiteral("tag")).toStdString();
    q.traceId = params.text(QStringLiteral("trace_id")).toLower().toStdString();
    if (q.traceId.size() > 64)
        return responder.send(apiError(400, QStringLiteral("trace_id is at most 64 characters"),
                                       QJsonObject{{QStringLiteral("field"), QStringLiteral("trace_id")}}));
    m_deps.queries->run(
        [q](StoreReader &reader) {
            const Page<StoredLog> result = reader.logs(q);
            QJsonArray items;
            for (const StoredLog &row : result.items)
                items.append(logJson(row));
            return jsonResponse(200, page(items, result.nextCursor));
        },
        responder);
}

void ApiRouter::trace(const HttpRequest &request, const HttpResponder &responder)
{
    constexpr int kMaxTraceEvents = 10'000;
    const QByteArray id = request.path.mid(request.path.lastIndexOf('/') + 1).toLower();
    bool hex = id.size() == 32;
    for (char c : id)
        hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!hex)
        return responder.send(apiError(400, QStringLiteral("a trace id is 32 hex digits"),
                                       QJsonObject{{QStringLiteral("field"), QStringLiteral("trace_id")}}));
    LogQuery q;
    q.traceId = id.toStdString();
    // Every event of the trace whatever its time (spans may come from clocks ahead of ours).
    q.window.from = 0;
    q.window.to = kMaxTimeNs;
    q.window.limit = kMaxTraceEvents;
    m_deps.queries->run(
        [q, kMaxTraceEvents](StoreReader &reader) {
            const Page<StoredLog> rows = reader.logs(q);
            if (rows.items.empty())
                return apiError(404, QStringLiteral("no events of trace %1").arg(QString::fromStdString(q.traceId)),
                                QJsonObject{{QStringLiteral("field"), QStringLiteral("trace_id")}});
            QJsonObject tree = TraceView::build(rows.items, logJson);
            tree.insert(QStringLiteral("trace_id"), QString::fromStdString(q.traceId));
            // The newest kMaxTraceEvents are shown; a longer trace says so.
            tree.insert(QStringLiteral("truncated"), rows.nextCursor.has_value());
            tree.insert(QStringLiteral("max_events"), kMaxTraceEvents);
            return jsonResponse(200, tree);
        },
        responder);
}

void ApiRouter::metrics(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    MetricQuery q;
    TimeNs step = 0;
    if (auto e = params.step(step))
        return responder.send(paramError(*e));
    // Bucketed queries need a bounded window: the last hour unless from or range say otherwise.
    if (auto e = params.window(q.window, nowNs(), step ? 3600 : 0))
        return responder.send(paramError(*e));
    if (step && (q.window.to - q.window.from) / step > kMaxBuckets)
        return responder.send(paramError({QStringLiteral("step"),
                                          QStringLiteral("gives more than %1 buckets for this range").arg(kMaxBuckets)}));
    q.service = params.text(QStringLiteral("service")).toStdString();
    q.name = params.text(QStringLiteral("name")).toStdString();
    m_deps.queries->run(
        [q, step](StoreReader &reader) {
            QJsonArray items;
            if (!step) {
                const Page<StoredPoint> result = reader.metricPoints(q);
                for (const StoredPoint &p : result.items)
                    items.append(QJsonObject{{QStringLiteral("ts"), iso(p.sample.ts)},
                                             {QStringLiteral("service"), QString::fromStdString(p.sample.service)},
                                             {QStringLiteral("name"), QString::fromStdString(p.sample.name)},
                                             {QStringLiteral("type"), QLatin1String(metricTypeName(p.sample.type))},
                                             {QStringLiteral("tags"), jsonObjectText(p.sample.tags)},
                                             {QStringLiteral("value"), p.sample.value}});
                return jsonResponse(200, page(items, result.nextCursor));
            }
            for (const MetricBucket &b : reader.metricBuckets(q, step, kMaxBuckets))
                items.append(QJsonObject{{QStringLiteral("ts"), iso(b.start)},
                                         {QStringLiteral("service"), QString::fromStdString(b.service)},
                                         {QStringLiteral("name"), QString::fromStdString(b.name)},
                                         {QStringLiteral("type"), QLatin1String(metricTypeName(b.type))},
                                         {QStringLiteral("tags"), jsonObjectText(b.tags)},
                                         {QStringLiteral("avg"), b.avg},
                                         {QStringLiteral("min"), b.min},
                                         {QStringLiteral("max"), b.max},
                                         {QStringLiteral("sum"), b.sum},
                                         {QStringLiteral("count"), qint64(b.count)}});
            return jsonResponse(200, page(items, std::nullopt));
        },
        responder);
}

void ApiRouter::kpis(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    const std::string service = params.text(QStringLiteral("service")).toStdString();
    if (service.empty())
        return responder.send(paramError({QStringLiteral("service"), QStringLiteral("is required")}));
    // Raw paths are accepted too: /users/42 means the route /users/{id}.
    const QString endpointText = params.text(QStringLiteral("endpoint"));
    const std::string endpoint = endpointText.isEmpty() ? std::string() : normalizeEndpoint(endpointText.toStdString());
    TimeWindow window;
    if (auto e = params.window(window, nowNs(), 3600))
        return responder.send(paramError(*e));
    TimeNs step = 0;
    if (auto e = params.step(step))
        return responder.send(paramError(*e));
    constexpr TimeNs kMinute = 60 * kNsPerSec;
    if (step == 0)
        step = kMinute;
    if (step % kMinute)
        return responder.send(paramError({QStringLiteral("step"), QStringLiteral("must be whole minutes, e.g. 1m, 5m, 1h")}));
    if ((window.to - window.from) / step > kMaxBuckets)
        return responder.send(paramError({QStringLiteral("step"),
                                          QStringLiteral("gives more than %1 buckets for this range").arg(kMaxBuckets)}));
    // baseline=1 adds each step's learned band (p95 latency, error rate, throughput) from the steps before
    // it, so the history behind the first step is read too.
    const bool withBaseline = params.text(QStringLiteral("baseline")) == QLatin1String("1");
    const std::size_t trailSteps = std::max<std::size_t>(30, std::size_t(120 * kMinute / step));
    m_deps.queries->run(
        [service, endpoint, window, step, withBaseline, trailSteps](StoreReader &reader) {
            // Minutes that overlap the window, merged into steps aligned to the epoch.
            const TimeNs from = window.from - window.from % kMinute;
            const TimeNs readFrom = withBaseline ? from - TimeNs(trailSteps) * step : from;
            std::map<TimeNs, KpiRollup> steps;
            for (KpiRollup &k : reader.kpiRollups(service, endpoint, readFrom, window.to)) {
                const TimeNs start = k.start - k.start % step;
                auto [it, fresh] = steps.try_emplace(start);
                if (fresh)
                    it->second.start = start;
                it->second.merge(k);
            }
            const double stepSeconds = double(step) / double(kNsPerSec);
            auto quantile = [](const KpiRollup &k, double q) {
                return k.latency.empty() ? QJsonValue() : QJsonValue(k.latency.quantile(q));
            };
            auto throughput = [stepSeconds](const KpiRollup &k) { return double(k.requests ? k.requests : k.events) / stepSeconds; };
            static const char *kBandKpis[] = {"p95_latency_ms", "error_rate", "throughput_rps"};
            std::vector<std::optional<BaselineBand>> bands[3];
            if (withBaseline) {
                std::vector<double> series[3];
                for (const auto &[start, k] : steps) {
                    series[0].push_back(k.latency.empty() ? NAN : k.latency.quantile(0.95));
                    series[1].push_back(k.errorRate());
                    series[2].push_back(throughput(k));
                }
                for (int i = 0; i < 3; ++i)
                    bands[i] = trailingBaselineBands(series[i], trailSteps);
            }
            QJsonArray items;
            std::size_t index = 0;
            for (const auto &[start, k] : steps) {
                const std::size_t at = index++;
                if (start < window.from - window.from % step)
                    continue; // history read only for the baseline
                QJsonObject item{
                    {QStringLiteral("ts"), iso(start)},
                    {QStringLiteral("events"), qint64(k.events)},
                    {QStringLiteral("requests"), qint64(k.requests)},
                    {QStringLiteral("errors"), qint64(k.requests ? k.requestErrors : k.errorEvents)},
                    {QStringLiteral("error_rate"), k.errorRate()},
                    {QStringLiteral("throughput_rps"), throughput(k)},
                    {QStringLiteral("p50_latency_ms"), quantile(k, 0.50)},
                    {QStringLiteral("p95_latency_ms"), quantile(k, 0.95)},
                    {QStringLiteral("p99_latency_ms"), quantile(k, 0.99)},
                };
                if (withBaseline) {
                    QJsonObject baseline;
                    for (int i = 0; i < 3; ++i)
                        if (const auto &b = bands[i][at])
                            baseline.insert(QLatin1String(kBandKpis[i]),
                                            QJsonObject{{QStringLiteral("low"), b->low},
                                                        {QStringLiteral("median"), b->median},
                                                        {QStringLiteral("high"), b->high}});
                    item.insert(QStringLiteral("baseline"), baseline);
                }
                items.append(item);
            }
            return jsonResponse(200, QJsonObject{{QStringLiteral("service"), QString::fromStdString(service)},
                                                 {QStringLiteral("endpoint"), QString::fromStdString(endpoint)},
                                                 {QStringLiteral("items"), items},
                                                 {QStringLiteral("next_cursor"), QJsonValue()}});
        },
        responder);
}

void ApiRouter::anomalies(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    TimeWindow window;
    if (auto e = params.window(window, nowNs()))
        return responder.send(paramError(*e));
    const std::string service = params.text(QStringLiteral("service")).toStdString();
    m_deps.queries->run(
        [service, window](StoreReader &reader) {
            const Page<StoredAnomaly> result = reader.anomalies(service, window);
            QJsonArray items;
            for (const StoredAnomaly &s : result.items) {
                const AnomalyRecord &a = s.anomaly;
                items.append(QJsonObject{
                    {QStringLiteral("id"), QString::number(s.id)},
                    {QStringLiteral("service"), QString::fromStdString(a.service)},
                    {QStringLiteral("endpoint"), str(a.endpoint)},
                    {QStringLiteral("kind"), QString::fromStdString(a.kind)},
                    {QStringLiteral("metric"), str(a.metric)},
                    {QStringLiteral("state"), a.endedAt ? QStringLiteral("resolved") : QStringLiteral("open")},
                    {QStringLiteral("started_at"), iso(a.startedAt)},
                    {QStringLiteral("ended_at"), a.endedAt ? iso(a.endedAt) : QJsonValue()},
                    {QStringLiteral("updated_at"), iso(a.updatedAt)},
                    {QStringLiteral("duration_s"), double(((a.endedAt ? a.endedAt : a.updatedAt) - a.startedAt) / kNsPerSec)},
                    {QStringLiteral("score"), a.score},
                    {QStringLiteral("signals"), QJsonDocument::fromJson(QByteArray::fromStdString(s.indicatorsJson)).array()},
                    {QStringLiteral("explanation"), QString::fromStdString(a.explanation)},
                    {QStringLiteral("recommendation"), QString::fromStdString(a.recommendation)},
                });
            }
            return jsonResponse(200, page(items, result.nextCursor));
        },
        responder);
}

namespace {

constexpr TimeNs kMinuteNs = 60 * kNsPerSec;
constexpr TimeNs kFreshness = 10 * kMinuteNs;

// The last 5 closed minutes of a service or route against the hour before them.
// The last five closed minutes against the hour before them, or — while a degradation is open since
// `openSince` — against the hour before it began.
HealthInputs healthInputs(StoreReader &reader, const std::string &service, const std::string &endpoint,
                          TimeNs openSince = 0)
{
    HealthInputs in;
    const auto latest = reader.latestKpiMinute(service, endpoint);
    if (!latest)
        return in;
    const TimeNs recentFrom = *latest - 4 * kMinuteNs;
    const TimeNs baselineTo = openSince > 0 ? std::min(openSince, recentFrom) : recentFrom;
    auto add = [](std::optional<KpiRollup> &into, const KpiRollup &k) {
        if (!into)
            into = k;
        else
            into->merge(k);
    };
    for (const KpiRollup &k : reader.kpiRollups(service, endpoint, recentFrom, *latest))
        add(in.recent, k);
    for (const KpiRollup &k : reader.kpiRollups(service, endpoint, baselineTo - 60 * kMinuteNs, baselineTo - 1))
        add(in.baseline, k);
    return in;
}

QJsonObject healthJson(const HealthScore &h)
{
    auto num = [](double v) { return std::isfinite(v) ? QJsonValue(std::round(v * 1000) / 1000) : QJsonValue(); };
    return QJsonObject{
        {QStringLiteral("score"), h.score ? QJsonValue(*h.score) : QJsonValue()},
        {QStringLiteral("status"), QString::fromStdString(h.status)},
        // Points taken off 100 by each component (see computeHealth).
        {QStringLiteral("penalties"),
         QJsonObject{{QStringLiteral("errors"), num(h.errorPenalty)},
                     {QStringLiteral("latency"), num(h.latencyPenalty)},
                     {QStringLiteral("anomalies"), num(h.anomalyPenalty)}}},
        {QStringLiteral("kpis"),
         QJsonObject{{QStringLiteral("error_rate"), num(h.errorRate)},
                     {QStringLiteral("p95_latency_ms"), h.p95Ms > 0 ? num(h.p95Ms) : QJsonValue()},
                     {QStringLiteral("baseline_p95_latency_ms"), h.baselineP95Ms > 0 ? num(h.baselineP95Ms) : QJsonValue()}}},
    };
}

} // namespace

namespace {
constexpr int kDefaultHealthPage = 500;
constexpr int kMaxHealthPage = 1000;
} // namespace

void ApiRouter::health(const HttpRequest &request, const HttpResponder &responder, bool one)
{
    std::string name;
    if (one)
        name = QByteArray::fromPercentEncoding(request.path.mid(qsizetype(std::strlen("/api/health/services/")))).toStdString();
    // The list pages by service name: each service costs a few queries, so one answer covers at most
    // `limit` of them whatever their number.
    const QueryParams params(request.query);
    int limit = kDefaultHealthPage;
    if (params.has(QStringLiteral("limit"))) {
        bool valid = false;
        limit = params.text(QStringLiteral("limit")).toInt(&valid);
        if (!valid || limit < 1 || limit > kMaxHealthPage)
            return responder.send(paramError({QStringLiteral("limit"),
                                              QStringLiteral("must be a whole number from 1 to %1").arg(kMaxHealthPage)}));
    }
    const std::string after = QByteArray::fromBase64(params.text(QStringLiteral("cursor")).toLatin1(),
                                                     QByteArray::Base64UrlEncoding)
                                  .toStdString();
    m_deps.queries->run(
        [name, one, limit, after](StoreReader &reader) {
            const TimeNs now = nowNs();
            const DetectionSettings settings = DetectionSettings::stored(reader.setting("detection"));
            QJsonArray items;
            QJsonObject detail;
            QJsonValue next;
            std::string lastListed;
            for (const ServiceInfo &svc : reader.services()) { // ordered by name
                if (one ? svc.name != name : !after.empty() && svc.name <= after)
                    continue;
                if (!one && items.size() == limit) {
                    next = QString::fromLatin1(QByteArray::fromStdString(lastListed)
                                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
                    break;
                }
                lastListed = svc.name;
                TimeWindow all{0, std::numeric_limits<TimeNs>::max(), std::nullopt, 100};
                const std::vector<StoredAnomaly> anomalies = reader.anomalies(svc.name, all).items;
                TimeNs openSince = 0;
                for (const StoredAnomaly &a : anomalies)
                    if (!a.anomaly.endedAt && (!openSince || a.anomaly.startedAt < openSince))
                        openSince = a.anomaly.startedAt;
                HealthInputs in = healthInputs(reader, svc.name, {}, openSince);
                in.fresh = now - svc.lastReceived < kFreshness;
                if (auto slo = settings.slos.find(svc.name); slo != settings.slos.end()) {
                    in.sloP95Ms = slo->second.p95LatencyMs;
                    in.sloErrorRate = slo->second.errorRate;
                }
                QJsonArray open;
                for (const StoredAnomaly &a : anomalies) {
                    if (a.anomaly.endedAt)
                        continue;
                    ++in.openAnomalies;
                    in.worstAnomalyScore = std::max(in.worstAnomalyScore, a.anomaly.score);
                    open.append(QJsonObject{{QStringLiteral("id"), QString::number(a.id)},
                                            {QStringLiteral("started_at"), iso(a.anomaly.startedAt)},
                                            {QStringLiteral("score"), a.anomaly.score},
                                            {QStringLiteral("explanation"), QString::fromStdString(a.anomaly.explanation)}});
                }
                QJsonObject o = healthJson(computeHealth(in));
                o.insert(QStringLiteral("service"), QString::fromStdString(svc.name));
                o.insert(QStringLiteral("last_received"), svc.lastReceived ? iso(svc.lastReceived) : QJsonValue());
                o.insert(QStringLiteral("open_anomalies"), in.openAnomalies);
                if (!one) {
                    items.append(o);
                    continue;
                }
                o.insert(QStringLiteral("anomalies"), open);
                QJsonArray endpoints;
                const auto latest = reader.latestKpiMinute(svc.name, {});
                for (const std::string &e : reader.kpiEndpoints(svc.name, latest.value_or(0) - 60 * kMinuteNs)) {
                    HealthInputs ein = healthInputs(reader, svc.name, e, openSince);
                    ein.fresh = in.fresh;
                    QJsonObject eo = healthJson(computeHealth(ein));
                    eo.insert(QStringLiteral("endpoint"), QString::fromStdString(e));
                    endpoints.append(eo);
                }
                o.insert(QStringLiteral("endpoints"), endpoints);
                detail = o;
            }
            if (one && detail.isEmpty())
                return apiError(404, QStringLiteral("no such service: %1").arg(QString::fromStdString(name)),
                                QJsonObject{{QStringLiteral("service"), QString::fromStdString(name)}});
            if (one)
                return jsonResponse(200, detail);
            return jsonResponse(200, QJsonObject{{QStringLiteral("items"), items}, {QStringLiteral("next_cursor"), next}});
        },
        responder);
}

void ApiRouter::errorPatterns(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    TimeWindow window;
    if (auto e = params.window(window, nowNs(), 3600))
        return responder.send(paramError(*e));
    Level minLevel = Level::Unknown;
    if (auto e = params.level(minLevel))
        return responder.send(paramError(*e));
    if (!params.has(QStringLiteral("level")))
        minLevel = Level::Error; // error patterns unless asked otherwise
    const std::string service = params.text(QStringLiteral("service")).toStdString();
    m_deps.queries->run(
        [service, window, minLevel](StoreReader &reader) {
            QJsonArray items;
            for (const StoredTemplate &t : reader.templates(service, minLevel, window.from, window.to, window.limit)) {
                if (t.inRange == 0 && (t.lastSeen < window.from || t.firstSeen > window.to))
                    continue;
                items.append(QJsonObject{
                    {QStringLiteral("service"), QString::fromStdString(t.service)},
                    {QStringLiteral("template_id"), QString::number(t.id)},
                    {QStringLiteral("template"), QString::fromStdString(t.text)},
                    {QStringLiteral("sample"), QString::fromStdString(t.sample)},
                    {QStringLiteral("level"), QString::fromLatin1(levelName(t.maxLevel).data(), qsizetype(levelName(t.maxLevel).size()))},
                    {QStringLiteral("count"), qint64(t.inRange)},
                    {QStringLiteral("total"), qint64(t.total)},
                    {QStringLiteral("first_seen"), iso(t.firstSeen)},
                    {QStringLiteral("last_seen"), iso(t.lastSeen)},
                });
            }
            return jsonResponse(200, page(items, std::nullopt));
        },
        responder);
}

void ApiRouter::storeSettings(const std::string &key, const QJsonObject &effective, std::function<void()> apply,
                              const HttpResponder &responder)
{
    auto job = std::make_unique<WriteJob>();
    job->settings.emplace_back(key, QJsonDocument(effective).toJson(QJsonDocument::Compact).toStdString());
    // Applied once stored, so what the API acknowledges is what a restart comes back to.
    job->done = [responder, effective, apply = std::move(apply)](const WriteOutcome &outcome) {
        if (!outcome.ok)
            return responder.send(apiError(500, QStringLiteral("settings not stored: %1").arg(QString::fromStdString(outcome.error))));
        apply();
        responder.send(jsonResponse(200, effective));
    };
    m_deps.writer->submit(std::move(job));
}

void ApiRouter::putDetectionSettings(const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder);
    if (!body)
        return;
    QString field, message;
    const auto settings = DetectionSettings::fromJson(*body, &field, &message);
    if (!settings)
        return responder.send(apiError(400, QStringLiteral("%1 %2").arg(field, message),
                                       QJsonObject{{QStringLiteral("field"), field}}));
    storeSettings("detection", settings->toJson(),
                  [analysis = m_deps.analysis, s = *settings] { analysis->setDetectionSettings(s); }, responder);
}

void ApiRouter::putTagSettings(const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder);
    if (!body)
        return;
    QString field, message, limit;
    auto rules = TagRules::rulesFromJson(*body, &field, &message, &limit);
    if (!rules)
        return responder.send(fieldError(field, message, limit));
    auto tagRules = std::make_shared<const TagRules>(std::move(*rules));
    // Events ingested from then on carry the new tags.
    storeSettings("tags", tagRules->toJson(), [holder = m_deps.tagRules, tagRules] { holder->set(tagRules); },
                  responder);
}

HttpResponse ApiRouter::realtimeMetrics() const
{
    KpiRollup total;
    int services = 0;
    for (const auto &[service, w] : m_deps.analysis->live().snapshot()) {
        total.merge(w.lastMinute);
        ++services;
    }
    const DDSketch &latency = total.latency;
    const QJsonObject data{
        {QStringLiteral("window"), QStringLiteral("1m")},
        {QStringLiteral("services"), services},
        {QStringLiteral("events_per_second"), double(total.events) / 60.0},
        {QStringLiteral("requests_per_second"), double(total.requests) / 60.0},
        {QStringLiteral("error_rate"), total.errorRate()},
        {QStringLiteral("avg_response_time_ms"),
         latency.count() ? QJsonValue(latency.sum() / double(latency.count())) : QJsonValue()},
        {QStringLiteral("p95_response_time_ms"), latency.empty() ? QJsonValue() : QJsonValue(latency.quantile(0.95))},
        {QStringLiteral("ingest_accepted_total"), qint64(m_deps.ingestStats->itemsAccepted)},
    };
    return jsonResponse(200, QJsonObject{{QStringLiteral("success"), true}, {QStringLiteral("data"), data}});
}

HttpResponse ApiRouter::liveKpis(const HttpRequest &request) const
{
    const QueryParams params(request.query);
    const std::string only = params.text(QStringLiteral("service")).toStdString();
    auto window = [](const KpiRollup &k, double seconds) {
        auto q = [&k](double p) { return k.latency.empty() ? QJsonValue() : QJsonValue(k.latency.quantile(p)); };
        return QJsonObject{{QStringLiteral("events"), qint64(k.events)},
                           {QStringLiteral("requests"), qint64(k.requests)},
                           {QStringLiteral("error_rate"), k.errorRate()},
                           {QStringLiteral("throughput_rps"), double(k.requests ? k.requests : k.events) / seconds},
                           {QStringLiteral("p50_latency_ms"), q(0.5)},
                           {QStringLiteral("p95_latency_ms"), q(0.95)},
                           {QStringLiteral("p99_latency_ms"), q(0.99)}};
    };
    // From memory, no SQL: answered on the listener thread.
    QJsonArray items;
    for (const auto &[service, w] : m_deps.analysis->live().snapshot()) {
        if (!only.empty() && service != only)
            continue;
        items.append(QJsonObject{{QStringLiteral("service"), QString::fromStdString(service)},
                                 {QStringLiteral("newest_minute"), iso(w.newest)},
                                 {QStringLiteral("windows"),
                                  QJsonObject{{QStringLiteral("1m"), window(w.lastMinute, 60)},
                                              {QStringLiteral("5m"), window(w.last5Minutes, 60.0 * w.minutes5)},
                                              {QStringLiteral("1h"), window(w.lastHour, 60.0 * w.minutes60)}}}});
    }
    return jsonResponse(200, page(items, std::nullopt));
}

} // namespace fg
