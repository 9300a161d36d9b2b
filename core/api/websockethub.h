#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include <simdjson.h>

#include "ingest/httpmessage.h"
#include "ingest/threadmailbox.h"
#include "ingest/wsframes.h"

class QTcpSocket;

namespace fg {

class IngestRoute;
class LiveFeed;
class WsConnection;
struct IngestStats;

// WebSocket endpoints on the HTTP listener, on the listener thread. Ingest at /ws: {"type":"log"|"event"|
// "metric","data":{…}|[…]} goes through the same ingest route as HTTP and is acknowledged ({"type":"ack"})
// only once committed; a client has at most kMaxPending unacknowledged messages, then its socket is not
// read (TCP pushes back). Live channels: /api/ws/live (everything), /api/ws/health, /api/ws/logs/{service},
// /api/ws/alerts, /ws/metrics; any connection may also {"type":"subscribe","subscription_type":…}. Live
// data is sampled at the source (LiveFeed) and dropped per subscriber whose queue is full; a subscriber that
// stays full is closed (1008), so none grows memory or slows ingest.
class WebSocketHub final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebSocketHub)

public:
    using InternalGet = std::function<void(const QByteArray &path, const QByteArray &query,
                                           std::function<void(HttpResponse)> done)>; // done: any thread
    struct Deps {
        IngestRoute *logs;
        IngestRoute *metrics;
        LiveFeed *feed;
        IngestStats *ingestStats;
        InternalGet internalGet; // the query API, for health and alerts
    };
    struct Options {
        int maxConnections = 256;
        WsLimits limits;
        qint64 maxQueuedBytes = 1024 * 1024; // per subscriber
        int maxPending = 64;                 // unacknowledged ingest messages per client
        int slowCloseMs = 10'000;            // a subscriber that drops messages and never drains this long is closed
        int tickMs = 200;
        int metricsMs = 2'000;
        int healthMs = 5'000;
        int alertsMs = 2'000;
    };
    WebSocketHub(Deps deps, Options options, QObject *parent = nullptr);
    ~WebSocketHub() override;

    // nullopt: the head is a valid upgrade this hub can take; else the refusal (400, 426, 503).
    std::optional<HttpResponse> checkUpgrade(const HttpRequest &head) const;
    // Answers 101 and takes the socket (and bytes already read past the head).
    void accept(const HttpRequest &head, QTcpSocket *socket, const QByteArray &buffered);

    int connectionCount() const { return int(m_clients.size()); }
    qint64 droppedMessages() const { return m_dropped; }
    qint64 ingestMessages() const { return m_ingested; }

private:
    enum Sub : unsigned { AllLogs = 1, ServiceLogs = 2, Health = 4, Alerts = 8, Metrics = 16 };
    struct Client {
        bool ingest = false; // /ws takes data; the live channels (read scope) take subscriptions
        unsigned subs = 0;
        QSet<QByteArray> services;
        int pending = 0;
        quint64 seq = 0;
        QByteArray defaultService; // ?service= of the upgrade URL, for items that name none
        qint64 droppedReported = 0;
    };
    void onMessage(WsConnection *conn, const QByteArray &text);
    void ingest(WsConnection *conn, Client &client, const std::string &kind, simdjson::dom::element data,
                const QByteArray &id);
    void subscribe(WsConnection *conn, Client &client, simdjson::dom::object msg, bool on, const QByteArray &id);
    void replyError(WsConnection *conn, const QByteArray &id, int status, const QString &field, const QString &message);
    void remove(WsConnection *conn);
    void tick();
    void sendMetrics();
    void pollHealth();
    void pollAlerts();
    void broadcast(unsigned sub, const QByteArray &text);
    void updateWanted();
    unsigned allSubs() const;

    Deps m_deps;
    Options m_options;
    QHash<WsConnection *, Client> m_clients;
    simdjson::dom::parser m_parser;
    QTimer m_tick;
    std::shared_ptr<ThreadMailbox> m_mailbox;
    qint64 m_dropped = 0;
    qint64 m_ingested = 0;
    qint64 m_ticks = 0;
    // Counts since the last metrics message.
    qint64 m_logs = 0, m_errors = 0, m_points = 0, m_sampledOut = 0;
    qint64 m_lastMetricsAt = 0;
    bool m_healthInFlight = false, m_alertsInFlight = false, m_alertsPrimed = false;
    QSet<QString> m_seenAlerts;
    std::deque<QString> m_seenOrder;
};

} // namespace fg
