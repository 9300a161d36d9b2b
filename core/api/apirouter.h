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
#include "routetable.h"

namespace fg {

class IngestRoute;
class IngestInspector;
class HttpCounters;
class InflightBudget;
class QueryRunner;
class DecodePool;
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

// The HTTP API: guards, the route table and the handlers of each path. Lives on the listener thread.
// Routes are registered per domain: ingest and WebSocket (apirouter.cpp), probes and self-metrics
// (apiroutermetrics.cpp), queries (queryroutes.cpp), analytics (analyticsroutes.cpp), settings
// (settingsroutes.cpp), alerting (AlertRoutes) and channels (ChannelRoutes).
class ApiRouter final : public RequestHandler {
public:
    struct Deps {
        StoreWriter *writer;
        QueryRunner *queries;
        DecodePool *decoders; // where ingest routes decode; null for a route table that handles nothing
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

    // Every route with its pattern, scope and handler; fixed once constructed.
    const RouteTable &routes() const { return m_routes; }

private:
    void addIngestRoutes();
    void addSelfMetricsRoutes();
    void addQueryRoutes();
    void addAnalyticsRoutes();
    void addSettingsRoutes();
    std::optional<HttpResponse> admitHead(HttpRequest &head, const RouteTable::Match &m);
    // GET /metrics: Prometheus text exposition of FlowGuard's own counters.
    HttpResponse prometheus() const;

    // apiroutermetrics.cpp
    HttpResponse health() const;
    // GET /api/ingest/sources: per ingest route, what it received and when it last committed items.
    HttpResponse ingestSources() const;
    // queryroutes.cpp
    void logs(const HttpRequest &request, const HttpResponder &responder);
    void trace(const QByteArray &traceId, const HttpResponder &responder);
    void metrics(const HttpRequest &request, const HttpResponder &responder);
    void services(const HttpResponder &responder);
    // analyticsroutes.cpp
    void kpis(const HttpRequest &request, const HttpResponder &responder);
    HttpResponse liveKpis(const HttpRequest &request) const;
    // GET /metrics/realtime: the last minute over every service, from memory.
    HttpResponse realtimeMetrics() const;
    void anomalies(const HttpRequest &request, const HttpResponder &responder);
    void errorPatterns(const HttpRequest &request, const HttpResponder &responder);
    // GET /api/health/services (one: false) and /api/health/services/{name} (one: true).
    void health(const HttpRequest &request, const std::string &name, bool one, const HttpResponder &responder);
    // settingsroutes.cpp
    void putDetectionSettings(const HttpRequest &request, const HttpResponder &responder);
    void putTagSettings(const HttpRequest &request, const HttpResponder &responder);
    // A settings PUT: stored, then applied and answered once committed.
    void storeSettings(const std::string &key, const QJsonObject &effective, std::function<void()> apply,
                       const HttpResponder &responder);

    RouteTable m_routes;
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
