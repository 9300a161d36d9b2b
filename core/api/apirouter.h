#pragma once

#include <QElapsedTimer>
#include <QJsonObject>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "auth/authmode.h"
#include "ingest/httpresponder.h"
#include "requestauthorizer.h"
#include "requestguard.h"

namespace fg {

class IngestRoute;
class IngestInspector;
class HttpCounters;
class InflightBudget;
class QueryRunner;
class StoreWriter;
struct EngineConfig;
struct IngestStats;
class AnalysisWorker;
class AlertEvaluator;
class AlertRoutes;
class RuleBook;
class ChannelBook;
class ChannelRoutes;
class SecretStore;
class TagRulesHolder;
class SeriesRegistry;
class ServiceRegistry;
class IdAllocator;
class IntegrityChecker;
class TokenRegistry;
class LiveFeed;
class WebSocketHub;

// The HTTP API: guards, routing, and the handlers of each path. Lives on the listener thread.
class ApiRouter final : public RequestHandler {
public:
    struct Deps {
        StoreWriter *writer;
        QueryRunner *queries;
        InflightBudget *budget;
        IngestStats *ingestStats;
        AnalysisWorker *analysis;
        TagRulesHolder *tagRules;
        RuleBook *rules;
        AlertEvaluator *alerts;
        IdAllocator *ids;
        ChannelBook *channels;
        SecretStore *secrets;
        QString secretsProblem;
        ServiceRegistry *services;
        SeriesRegistry *series;
        const IntegrityChecker *integrity;
        TokenRegistry *tokens;
        AuthMode authMode;
        LiveFeed *liveFeed = nullptr; // committed logs for WebSocket subscribers
        int maxWebSocketConnections = 256;
    };
    ApiRouter(const EngineConfig &config, const QJsonObject &configJson, Deps deps);
    ~ApiRouter() override;

    void setListenPort(quint16 port) { m_guard.setPort(port); }

    std::optional<HttpResponse> admit(HttpRequest &head) override;
    void handle(HttpRequest &&request, HttpResponder responder) override;
    HttpResponse transportError(int status, const QString &message) override;
    bool takeUpgrade(const HttpRequest &head, QTcpSocket *socket, const QByteArray &buffered) override;
    // Where the syslog listener stores its messages (same path and counters as HTTP ingest).
    IngestRoute *syslogRoute() const { return m_syslog.get(); }

private:
    enum class Route { IngestLogs, IngestMetrics, OtlpLogs, OtlpMetrics, OtlpTraces, LokiPush, RawIngest, SelfMetrics, Trace, Health, Ready, Services, Logs, Metrics, Config, Kpis, Anomalies, ServicesHealth,
                       ServiceHealth, ErrorPatterns, GetDetectionSettings,
                       PutDetectionSettings, GetTagSettings, PutTagSettings, LiveKpis, Alerting, Channels, ClearDemo,
                       IngestRejections, IngestSources,
                       WebSocket, ElasticBulk, ElasticProbe, SignalLogs, SignalTraces, SignalMetrics, LogStream,
                       RealtimeMetrics, HistoricalMetrics, Events, EventBatch, EventList, EventById, EventAggregations,
                       RegisterService };
    struct RouteMatch {
        std::optional<Route> route;
        QByteArray allowed; // methods the path accepts, for 405
    };
    static RouteMatch match(const HttpRequest &request);
    std::optional<HttpResponse> admitHead(HttpRequest &head);
    // The route's label in self-metrics: its path pattern, bounded in number.
    static const char *routeName(Route route);
    // GET /metrics: Prometheus text exposition of FlowGuard's own counters.
    HttpResponse prometheus() const;
    // The ingest endpoint of a route; null for the other routes.
    IngestRoute *ingestRoute(Route route) const;

    HttpResponse health() const;
    // GET /api/ingest/sources: per ingest route, what it received and when it last committed items.
    HttpResponse ingestSources() const;
    void logs(const HttpRequest &request, const HttpResponder &responder);
    void trace(const HttpRequest &request, const HttpResponder &responder);
    void metrics(const HttpRequest &request, const HttpResponder &responder);
    void services(const HttpResponder &responder);
    void kpis(const HttpRequest &request, const HttpResponder &responder);
    HttpResponse liveKpis(const HttpRequest &request) const;
    // GET /metrics/realtime: the last minute over every service, from memory.
    HttpResponse realtimeMetrics() const;
    void anomalies(const HttpRequest &request, const HttpResponder &responder);
    void errorPatterns(const HttpRequest &request, const HttpResponder &responder);
    void putDetectionSettings(const HttpRequest &request, const HttpResponder &responder);
    void putTagSettings(const HttpRequest &request, const HttpResponder &responder);
    // A settings PUT: stored, then applied and answered once committed.
    void storeSettings(const std::string &key, const QJsonObject &effective, std::function<void()> apply,
                       const HttpResponder &responder);
    void health(const HttpRequest &request, const HttpResponder &responder, bool one);

    RequestGuard m_guard;
    RequestAuthorizer m_authorizer;
    QJsonObject m_configJson;
    Deps m_deps;
    std::unique_ptr<IngestRoute> m_ingestLogs;
    std::unique_ptr<IngestRoute> m_ingestMetrics;
    std::unique_ptr<IngestRoute> m_otlpLogs;
    std::unique_ptr<IngestRoute> m_otlpMetrics;
    std::unique_ptr<IngestRoute> m_otlpTraces;
    std::unique_ptr<IngestRoute> m_lokiPush;
    std::unique_ptr<IngestRoute> m_rawIngest;
    std::shared_ptr<HttpCounters> m_httpCounters;
    std::shared_ptr<IngestInspector> m_inspector; // shared with responders that may answer on the writer thread
    QElapsedTimer m_uptime;
    std::unique_ptr<AlertRoutes> m_alertRoutes;
    std::unique_ptr<ChannelRoutes> m_channelRoutes;
    std::unique_ptr<IngestRoute> m_wsLogs;
    std::unique_ptr<IngestRoute> m_wsMetrics;
    std::unique_ptr<WebSocketHub> m_ws;
    std::unique_ptr<IngestRoute> m_elasticBulk;
    std::unique_ptr<IngestRoute> m_syslog;
    std::unique_ptr<IngestRoute> m_signalLogs, m_signalTraces, m_signalMetrics; // POST /ingest/logs|traces|metrics
    std::unique_ptr<IngestRoute> m_logStream; // POST /api/logs/stream/{service}[/single]
    std::unique_ptr<IngestRoute> m_events, m_eventBatch; // POST /events, /events/batch
};

} // namespace fg
