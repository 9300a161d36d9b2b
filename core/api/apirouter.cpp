#include "apirouter.h"

#include "alertroutes.h"
#include "channelroutes.h"
#include "apierror.h"
#include "config/engineconfig.h"
#include "ingest/lokipushdecoder.h"
#include "ingest/nativelogdecoder.h"
#include "ingest/nativemetricdecoder.h"
#include "ingest/otlplogdecoder.h"
#include "ingest/otlpmetricdecoder.h"
#include "ingest/otlptracedecoder.h"
#include "ingest/rawlinedecoder.h"
#include "ingestinspector.h"
#include "ingeststats.h"
#include "ingestroute.h"
#include "lokidialect.h"
#include "nativedialect.h"
#include "otlpdialect.h"
#include "selfmetrics.h"
#include "websockethub.h"
#include "elasticdialect.h"
#include "ingest/elasticbulkdecoder.h"
#include "ingest/syslogdecoder.h"
#include "ingest/signalspandecoder.h"
#include "ingest/logstreamdecoder.h"
#include "eventsdialect.h"
#include "ingest/eventdecoder.h"
#include "serviceregistration.h"

namespace fg {

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
    // Each route makes one decoder per decode worker.
    auto route = [&](const IngestRoute::DecoderFactory &decoder, std::shared_ptr<const IngestDialect> dialect,
                     const char *protocol, const char *signal) {
        return std::make_unique<IngestRoute>(decoder, std::move(dialect), std::make_shared<IngestCounters>(protocol, signal),
                                             deps.writer, deps.budget, deps.ingestStats, deps.tagRules,
                                             config.maxDecompressedBytes, deps.decoders);
    };
    m_ingestLogs = route([&] { return std::make_unique<NativeLogDecoder>(deps.services); }, native, "native", "logs");
    m_ingestMetrics = route([&] { return std::make_unique<NativeMetricDecoder>(deps.services, deps.series); }, native, "native", "metrics");
    m_otlpLogs = route([&] { return std::make_unique<OtlpLogDecoder>(deps.services); },
                       std::make_shared<const OtlpDialect>(otlp::Signal::Logs), "otlp", "logs");
    m_otlpMetrics = route([&] { return std::make_unique<OtlpMetricDecoder>(deps.services, deps.series, nowNs()); },
                          std::make_shared<const OtlpDialect>(otlp::Signal::Metrics), "otlp", "metrics");
    m_otlpTraces = route([&] { return std::make_unique<OtlpTraceDecoder>(deps.services); },
                         std::make_shared<const OtlpDialect>(otlp::Signal::Traces), "otlp", "spans");
    m_lokiPush = route([&] { return std::make_unique<LokiPushDecoder>(deps.services); }, std::make_shared<const LokiDialect>(), "loki", "logs");
    m_rawIngest = route([&] { return std::make_unique<RawLineDecoder>(deps.services); }, std::make_shared<const NativeDialect>(true),
                        "raw", "logs");
    m_elasticBulk = route([&] { return std::make_unique<ElasticBulkDecoder>(deps.services); }, std::make_shared<const ElasticDialect>(),
                          "elasticsearch", "logs");
    m_syslog = route([&] { return std::make_unique<SyslogDecoder>(deps.services); }, std::make_shared<const NativeDialect>(true), "syslog",
                     "logs");
    m_signalLogs = route([&] { return std::make_unique<NativeLogDecoder>(deps.services); }, native, "signal", "logs");
    m_signalTraces = route([&] { return std::make_unique<SignalSpanDecoder>(deps.services); }, native, "signal", "spans");
    m_signalMetrics = route([&] { return std::make_unique<NativeMetricDecoder>(deps.services, deps.series); }, native, "signal", "metrics");
    m_logStream = route([&] { return std::make_unique<LogStreamDecoder>(deps.services); }, native, "stream", "logs");
    m_events = route([&] { return std::make_unique<EventDecoder>(EventDecoder::Shape::Single, deps.services); },
                     std::make_shared<const EventsDialect>(false), "events", "logs");
    m_eventBatch = route([&] { return std::make_unique<EventDecoder>(EventDecoder::Shape::Batch, deps.services); },
                         std::make_shared<const EventsDialect>(true), "events", "logs");
    m_wsLogs = route([&] { return std::make_unique<NativeLogDecoder>(deps.services); }, native, "websocket", "logs");
    m_wsMetrics = route([&] { return std::make_unique<NativeMetricDecoder>(deps.services, deps.series); }, native, "websocket", "metrics");
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
    // Registration order decides between overlapping patterns: ingest first, so that /{index}/_bulk
    // (an Elasticsearch index named "events") comes before /events/{id}.
    addIngestRoutes();
    addSelfMetricsRoutes();
    m_alertRoutes->addRoutes(m_routes);
    m_channelRoutes->addRoutes(m_routes);
    addQueryRoutes();
    addAnalyticsRoutes();
    addSettingsRoutes();
}

ApiRouter::~ApiRouter() = default;

void ApiRouter::addIngestRoutes()
{
    auto ingest = [this](const char *pattern, IngestRoute *route, const char *method = "POST", const char *label = nullptr) {
        m_routes.add({method, pattern, TokenScope::Ingest,
                      [route](HttpRequest &request, const RouteParams &, const HttpResponder &out) {
                          route->handle(std::move(request), out);
                      },
                      label, route});
    };
    ingest("/api/ingest/logs", m_ingestLogs.get());
    ingest("/api/ingest/metrics", m_ingestMetrics.get());
    ingest("/v1/logs", m_otlpLogs.get());
    ingest("/v1/metrics", m_otlpMetrics.get());
    ingest("/v1/traces", m_otlpTraces.get());
    ingest("/loki/api/v1/push", m_lokiPush.get());
    ingest("/ingest", m_rawIngest.get());
    // Elasticsearch's _bulk; /{index}/_bulk names the default index.
    const RouteHandler bulk = [route = m_elasticBulk.get()](HttpRequest &request, const RouteParams &params,
                                                            const HttpResponder &out) {
        const QByteArray index = params.raw("index");
        request.query = index.isEmpty() ? QByteArray() : "service=" + index; // the decoder's default _index
        route->handle(std::move(request), out);
    };
    for (const char *pattern : {"/_bulk", "/{index:index}/_bulk"})
        for (const char *method : {"POST", "PUT"})
            m_routes.add({method, pattern, TokenScope::Ingest, bulk, "/_bulk", m_elasticBulk.get()});
    ingest("/ingest/logs", m_signalLogs.get());
    ingest("/ingest/traces", m_signalTraces.get());
    ingest("/ingest/metrics", m_signalMetrics.get());
    // POST /api/logs/stream/{service} and …/{service}/single.
    const RouteHandler stream = [route = m_logStream.get()](HttpRequest &request, const RouteParams &params,
                                                            const HttpResponder &out) {
        request.query = "service=" + params.raw("service"); // items naming no service belong to the path's
        route->handle(std::move(request), out);
    };
    for (const char *pattern : {"/api/logs/stream/{service}", "/api/logs/stream/{service}/single"})
        m_routes.add({"POST", pattern, TokenScope::Ingest, stream, "/api/logs/stream/{service}", m_logStream.get()});
    ingest("/events", m_events.get());
    ingest("/events/batch", m_eventBatch.get());
    // What an ingesting client does before its first event.
    m_routes.add({"POST", "/api/logs/services/register", TokenScope::Ingest,
                  [this](HttpRequest &request, const RouteParams &, const HttpResponder &out) {
                      registerService(request, m_deps.writer, m_deps.services, out);
                  }});
    // The probes shippers make before sending.
    for (const char *pattern : {"/", "/_cat/health", "/_cluster/health"})
        for (const char *method : {"GET", "HEAD"})
            m_routes.add({method, pattern, TokenScope::Ingest,
                          [](HttpRequest &request, const RouteParams &, const HttpResponder &out) {
                              out.send(ElasticProbes::answer(request));
                          },
                          "elasticsearch probes"});
    // WebSocket ingest and live channels: only an upgrade reaches the hub (takeUpgrade).
    const RouteHandler notUpgraded = [](HttpRequest &, const RouteParams &, const HttpResponder &out) {
        out.send(apiError(426, QStringLiteral("this is a WebSocket endpoint: send Upgrade: websocket"),
                          QJsonObject{{QStringLiteral("field"), QStringLiteral("Upgrade")}}));
    };
    m_routes.add({"GET", "/ws", TokenScope::Ingest, notUpgraded, nullptr, nullptr, true});
    for (const char *pattern : {"/api/ws/live", "/api/ws/health", "/api/ws/alerts", "/ws/metrics", "/api/ws/metrics",
                                "/api/ws/logs/{service}"})
        m_routes.add({"GET", pattern, TokenScope::Read, notUpgraded, "/ws", nullptr, true});
}

std::optional<HttpResponse> ApiRouter::admit(HttpRequest &head)
{
    // Answers given on the head are counted here; the others when handle()'s responder sends them.
    const RouteTable::Match m = m_routes.match(head.path, head.method);
    std::optional<HttpResponse> early = admitHead(head, m);
    if (early) {
        m_httpCounters->count(m.route ? m.route->name() : "unmatched", early->status);
        if (m.route && m.route->ingest)
            m_inspector->observe(m.route->name(), head.peer, head.inProcess, *early, nowNs());
    }
    return early;
}

std::optional<HttpResponse> ApiRouter::admitHead(HttpRequest &head, const RouteTable::Match &m)
{
    if (const QString why = m_guard.checkHost(head); !why.isEmpty())
        return apiError(403, why, QJsonObject{{QStringLiteral("field"), QStringLiteral("Host")}});
    const bool isRead = head.method == "GET" || head.method == "HEAD";
    if (!isRead) {
        if (const QString why = m_guard.checkOrigin(head); !why.isEmpty())
            return apiError(403, why, QJsonObject{{QStringLiteral("field"), QStringLiteral("Origin")}});
    }
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
    if (auto refused = m_authorizer.admit(head, m.route->scope))
        return refused;
    if (m.route->upgrade) {
        // Browsers send their Origin on the upgrade GET: a page elsewhere must not open a socket here.
        if (const QString why = m_guard.checkOrigin(head); !why.isEmpty())
            return apiError(403, why, QJsonObject{{QStringLiteral("field"), QStringLiteral("Origin")}});
        if (!m_ws)
            return apiError(404, QStringLiteral("WebSocket endpoints are not enabled"));
        return m_ws->checkUpgrade(head);
    }
    if (m.route->ingest)
        return m.route->ingest->checkHead(head);
    return std::nullopt;
}

void ApiRouter::handle(HttpRequest &&request, HttpResponder plainResponder)
{
    const RouteTable::Match m = m_routes.match(request.path, request.method); // admitted: a route
    const Route &route = *m.route;
    if (route.ingest) {
        route.handler(request, m.params,
                      plainResponder.observed([counters = m_httpCounters, inspector = m_inspector, name = route.name(),
                                               peer = request.peer, inProcess = request.inProcess](const HttpResponse &r) {
                          counters->count(name, r.status);
                          inspector->observe(name, peer, inProcess, r, nowNs());
                      }));
        return;
    }
    route.handler(request, m.params, plainResponder.observed([counters = m_httpCounters, name = route.name()](const HttpResponse &r) {
        counters->count(name, r.status);
    }));
}

bool ApiRouter::takeUpgrade(const HttpRequest &head, QTcpSocket *socket, const QByteArray &buffered)
{
    if (!m_ws || head.method != "GET")
        return false;
    const RouteTable::Match m = m_routes.match(head.path, head.method);
    if (!m.route || !m.route->upgrade)
        return false;
    m_httpCounters->count(m.route->name(), 101);
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

} // namespace fg
