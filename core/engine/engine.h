#pragma once

#include <QLockFile>
#include <QObject>
#include <QSslConfiguration>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "alerting/alertrule.h"
#include "alerting/channel.h"
#include "alerting/delivery/curltransport.h"
#include "alerting/delivery/notificationmessages.h"
#include "alerting/secretstore.h"
#include "ingest/httpmessage.h"
#include "analysis/tagger.h"
#include "alerting/idallocator.h"
#include "api/ingeststats.h"
#include "auth/authmode.h"
#include "auth/tokenfile.h"
#include "config/engineconfig.h"
#include "enginestats.h"

namespace fg {

class AlertEvaluator;
class AnalysisWorker;
class NotificationDispatcher;
class ApiRouter;
class HttpServer;
class InflightBudget;
class LiveFeed;
class SyslogListener;
class SeriesRegistry;
class TokenRegistry;
class ServiceRegistry;
class DatabaseLock;
class IntegrityChecker;
class QueryRunner;
class DecodePool;
class StoreReader;
class StoreWriter;

// The headless engine: single-instance lock, storage writer thread, HTTP listener thread, decode and
// query pools, started and stopped in order. Lives on the thread that creates it (the main thread) and
// publishes counters from there once a second; it never runs SQL or socket I/O itself.
class Engine final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Engine)

public:
    explicit Engine(EngineConfig config, QObject *parent = nullptr);
    ~Engine() override;

    // One line for the user on failure: port in use, database not writable, already in use…
    bool start(QString *error);
    // Stops accepting, answers what is in flight after committing it, closes the database.
    void stop();

    QString listenAddress() const; // "ADDR:PORT" as bound
    QString baseUrl() const;       // "http://ADDR:PORT", or https:// with TLS
    quint16 port() const { return m_port; }
    quint16 syslogPort() const { return m_syslogPort; } // 0: no syslog listener
    const EngineConfig &config() const { return m_config; }
    EngineStats stats() const;
    // The HTTP API in process, for the window: the request goes to the router on the listener thread (no
    // socket) and `done` runs on `context`'s thread with the answer (not at all if `context` is gone).
    void callApi(const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                 std::function<void(const HttpResponse &)> done);
    // How desktop notifications are shown (a tray icon in the window); by default the freedesktop
    // Notifications service on the session bus. Set before start().
    using DesktopNotifier = std::function<SendResult(const OutgoingNotification &)>;
    void setDesktopNotifier(DesktopNotifier notifier) { m_desktopNotifier = std::move(notifier); }

signals:
    void statsUpdated(const fg::EngineStats &stats);

private:
    // Reads the tokens and decides whether requests need one; false (with *error) when the engine must not start.
    bool loadAuth(QString *error);
    // Reads the TLS certificate and key, when configured; false (with *error) when they are unusable.
    bool loadTls(QString *error);
    bool startListener(QString *error);
    void restoreAlerting(StoreReader &reader);
    void restoreChannels(StoreReader &reader);
    QString publicUrl() const;
    void publishStats();

    EngineConfig m_config;
    std::unique_ptr<QLockFile> m_lock; // names the holder's pid for the message
    std::unique_ptr<DatabaseLock> m_fileLock; // the database file itself, whatever path reaches it
    std::unique_ptr<IntegrityChecker> m_integrity;
    std::unique_ptr<StoreWriter> m_writer;
    std::unique_ptr<AnalysisWorker> m_analysis;
    std::unique_ptr<InflightBudget> m_budget;
    std::unique_ptr<LiveFeed> m_liveFeed; // committed logs for WebSocket subscribers; outlives the writer's observer
    std::unique_ptr<ServiceRegistry> m_services;
    std::unique_ptr<SeriesRegistry> m_series;
    std::unique_ptr<QueryRunner> m_queries;
    std::unique_ptr<DecodePool> m_decoders; // ingest decoding, off the listener thread
    IngestStats m_ingestStats;
    TagRulesHolder m_tagRules;
    RuleBook m_rules;
    ChannelBook m_channels;
    std::unique_ptr<SecretStore> m_secrets;
    QString m_secretsProblem; // why secrets cannot be stored, when they cannot
    QString m_secretsNotice;  // said at every start: no keychain, or secrets in a plaintext file
    std::unique_ptr<NotificationDispatcher> m_dispatcher;
    DesktopNotifier m_desktopNotifier;
    std::unique_ptr<AlertEvaluator> m_alerts;
    IdAllocator m_ids; // rules, silences, channels, alerts and incidents
    QThread m_listenerThread;
    QObject *m_listenerContext = nullptr;
    AuthDecision m_auth;
    std::optional<QSslConfiguration> m_tls;
    QStringList m_tlsWarnings;
    std::vector<ApiToken> m_startTokens; // handed to the registry on the listener thread
    TokenFile::Stamp m_tokenStamp;
    TokenRegistry *m_tokens = nullptr; // on the listener thread
    ApiRouter *m_router = nullptr;
    HttpServer *m_server = nullptr;
    SyslogListener *m_syslog = nullptr; // on the listener thread
    quint16 m_syslogPort = 0;
    quint16 m_port = 0;
    QTimer m_statsTimer;
    qint64 m_lastAccepted = 0;
    double m_rate = 0;
    bool m_running = false;
};

} // namespace fg
