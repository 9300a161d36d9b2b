#include "websockethub.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>

#include <cmath>

#include "apierror.h"
#include "ingest/fieldvalues.h"
#include "ingest/httpresponder.h"
#include "ingest/wsconnection.h"
#include "ingeststats.h"
#include "ingestroute.h"
#include "livefeed.h"
#include "queryparams.h"

namespace fg {

namespace {

constexpr int kMaxServicesPerClient = 32;
constexpr int kMaxServiceName = 256;
constexpr int kMaxIdBytes = 128;
constexpr int kMaxSeenAlerts = 1000;
constexpr qint64 kPingEveryMs = 30'000;
constexpr qint64 kIdleCloseMs = 90'000;
const QByteArray kLogsPrefix = "/api/ws/logs/";

QByteArray normalized(const QByteArray &path)
{
    QByteArray p = path;
    while (p.size() > 1 && p.endsWith('/'))
        p.chop(1);
    return p;
}

QByteArray message(const char *type, const QJsonObject &data)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("type"), QLatin1String(type)}, {QStringLiteral("data"), data}})
        .toJson(QJsonDocument::Compact);
}

// {"type":…,"id":…,…} with the body's JSON (already serialized) under key.
QByteArray envelope(const char *type, const QByteArray &id, int status, const char *key, const QByteArray &bodyJson)
{
    QByteArray out = "{\"type\":\"" + QByteArray(type) + "\"";
    if (!id.isEmpty())
        out += ",\"id\":" + id;
    out += ",\"status\":" + QByteArray::number(status);
    if (!bodyJson.isEmpty())
        out += ",\"" + QByteArray(key) + "\":" + bodyJson;
    out += '}';
    return out;
}

QJsonObject logData(const LogRecord &r)
{
    QJsonObject o{{QStringLiteral("ts"), QString::fromStdString(formatIsoMs(r.ts))},
                  {QStringLiteral("service"), QString::fromStdString(r.service)},
                  {QStringLiteral("level"), QString::fromLatin1(levelName(r.level).data(), qsizetype(levelName(r.level).size()))},
                  {QStringLiteral("message"), QString::fromStdString(r.message)}};
    if (!r.endpoint.empty())
        o.insert(QStringLiteral("endpoint"), QString::fromStdString(r.endpoint));
    if (r.statusCode)
        o.insert(QStringLiteral("status_code"), r.statusCode);
    if (!std::isnan(r.latencyMs))
        o.insert(QStringLiteral("latency_ms"), r.latencyMs);
    if (!r.traceId.empty())
        o.insert(QStringLiteral("trace_id"), QString::fromStdString(r.traceId));
    if (!r.tags.empty())
        o.insert(QStringLiteral("tags"), QJsonArray::fromStringList(
                                              QString::fromStdString(r.tags).split(QLatin1Char(','), Qt::SkipEmptyParts)));
    return o;
}

} // namespace

WebSocketHub::WebSocketHub(Deps deps, Options options, QObject *parent)
    : QObject(parent), m_deps(std::move(deps)), m_options(options), m_mailbox(std::make_shared<ThreadMailbox>(this))
{
    m_tick.setInterval(m_options.tickMs);
    connect(&m_tick, &QTimer::timeout, this, &WebSocketHub::tick);
    m_tick.start();
    m_lastMetricsAt = nowNs();
}

WebSocketHub::~WebSocketHub()
{
    m_mailbox->detach();
    m_deps.feed->setWanted(false);
    const QList<WsConnection *> all = m_clients.keys();
    for (WsConnection *c : all) {
        c->disconnect(this);
        c->closeWith(1001, "FlowGuard is stopping");
    }
}

std::optional<HttpResponse> WebSocketHub::checkUpgrade(const HttpRequest &head) const
{
    auto field = [](const char *name) { return QJsonObject{{QStringLiteral("field"), QLatin1String(name)}}; };
    if (head.method != "GET")
        return apiError(405, QStringLiteral("WebSocket endpoints take a GET upgrade request"), field("method"));
    if (!head.header("upgrade").toLower().contains("websocket") || !head.header("connection").toLower().contains("upgrade")) {
        HttpResponse r = apiError(426, QStringLiteral("this is a WebSocket endpoint: send Upgrade: websocket"), field("Upgrade"));
        r.headers.emplace_back("Upgrade", "websocket");
        return r;
    }
    if (head.header("sec-websocket-version").trimmed() != "13") {
        HttpResponse r = apiError(426, QStringLiteral("only WebSocket version 13 is supported"), field("Sec-WebSocket-Version"));
        r.headers.emplace_back("Sec-WebSocket-Version", "13");
        return r;
    }
    const auto key = QByteArray::fromBase64Encoding(head.header("sec-websocket-key").trimmed(),
                                                    QByteArray::AbortOnBase64DecodingErrors);
    if (!key || key.decoded.size() != 16)
        return apiError(400, QStringLiteral("Sec-WebSocket-Key must be 16 bytes in base64"), field("Sec-WebSocket-Key"));
    const QByteArray path = normalized(head.path);
    if (path.startsWith(kLogsPrefix)) {
        const QByteArray service = QByteArray::fromPercentEncoding(path.mid(kLogsPrefix.size()));
        if (service.size() > kMaxServiceName || !isDisplayableName(service.toStdString()))
            return apiError(400, QStringLiteral("the service must be at most 256 bytes without control characters"),
                            field("service"));
    }
    if (connectionCount() >= m_options.maxConnections) {
        HttpResponse r = apiError(503, QStringLiteral("too many WebSocket connections (%1)").arg(m_options.maxConnections));
        r.headers.emplace_back("Retry-After", "5");
        return r;
    }
    return std::nullopt;
}

void WebSocketHub::accept(const HttpRequest &head, QTcpSocket *socket, const QByteArray &buffered)
{
    socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                  + wsAcceptKey(head.header("sec-websocket-key")) + "\r\n\r\n");
    auto *conn = new WsConnection(socket, m_options.limits, m_options.maxQueuedBytes, this);
    Client client;
    const QByteArray path = normalized(head.path);
    if (path == "/ws")
        client.ingest = true;
    else if (path == "/api/ws/live")
        client.subs = AllLogs | Health | Alerts | Metrics;
    else if (path == "/api/ws/health")
        client.subs = Health;
    else if (path == "/api/ws/alerts")
        client.subs = Alerts;
    else if (path == "/ws/metrics" || path == "/api/ws/metrics")
        client.subs = Metrics;
    else if (path.startsWith(kLogsPrefix)) {
        client.subs = ServiceLogs;
        client.services.insert(QByteArray::fromPercentEncoding(path.mid(kLogsPrefix.size())));
    }
    client.defaultService = QueryParams(head.query).text(QStringLiteral("service")).toUtf8();
    m_clients.insert(conn, client);
    connect(conn, &WsConnection::textMessage, this, [this, conn](const QByteArray &text) { onMessage(conn, text); });
    connect(conn, &WsConnection::closed, this, [this, conn] { remove(conn); });
    if (!buffered.isEmpty())
        QMetaObject::invokeMethod(conn, [conn, buffered] { conn->feed(buffered); }, Qt::QueuedConnection);
    updateWanted();
    if (client.subs & Health)
        pollHealth();
}

void WebSocketHub::remove(WsConnection *conn)
{
    if (m_clients.remove(conn) == 0)
        return;
    conn->disconnect(this);
    conn->deleteLater();
    updateWanted();
}

unsigned WebSocketHub::allSubs() const
{
    unsigned all = 0;
    for (const Client &c : m_clients)
        all |= c.subs;
    return all;
}

void WebSocketHub::updateWanted() { m_deps.feed->setWanted(allSubs() != 0); }

void WebSocketHub::replyError(WsConnection *conn, const QByteArray &id, int status, const QString &field,
                              const QString &text)
{
    const HttpResponse r = apiError(status, text, QJsonObject{{QStringLiteral("field"), field}});
    conn->sendReply(envelope("error", id, status, "error", r.body));
}

void WebSocketHub::onMessage(WsConnection *conn, const QByteArray &text)
{
    auto it = m_clients.find(conn);
    if (it == m_clients.end())
        return;
    Client &client = it.value();
    ++client.seq;
    simdjson::dom::element root;
    if (const auto err = m_parser.parse(text.constData(), std::size_t(text.size()), true).get(root)) {
        replyError(conn, QByteArray::number(client.seq), 400, QStringLiteral("message"),
                   QStringLiteral("malformed JSON: %1").arg(QLatin1String(simdjson::error_message(err))));
        return;
    }
    if (!root.is_object()) {
        replyError(conn, QByteArray::number(client.seq), 400, QStringLiteral("message"),
                   QStringLiteral("a message is a JSON object {\"type\":…,\"data\":…}"));
        return;
    }
    const simdjson::dom::object msg = root.get_object().value_unsafe();
    // The client's own id is echoed in the answer; without one, the message's number on this connection.
    QByteArray id = QByteArray::number(client.seq);
    simdjson::dom::element idValue;
    if (!msg["id"].get(idValue)) {
        if (!idValue.is_string() && !idValue.is_number()) {
            replyError(conn, id, 400, QStringLiteral("id"), QStringLiteral("id must be a string or a number"));
            return;
        }
        const std::string minified = simdjson::minify(idValue);
        if (minified.size() > kMaxIdBytes) {
            replyError(conn, id, 400, QStringLiteral("id"), QStringLiteral("id is at most 128 bytes"));
            return;
        }
        id = QByteArray::fromStdString(minified);
    }
    std::string_view type;
    if (msg["type"].get(type)) {
        replyError(conn, id, 400, QStringLiteral("type"),
                   QStringLiteral("type is required: event, log, metric, subscribe, unsubscribe or ping"));
        return;
    }
    if (type == "ping") {
        conn->sendReply("{\"type\":\"pong\",\"id\":" + id + "}");
        return;
    }
    const bool subscription = type == "subscribe" || type == "unsubscribe";
    const bool data = type == "event" || type == "log" || type == "metric";
    if ((subscription && client.ingest) || (data && !client.ingest)) {
        replyError(conn, id, 400, QStringLiteral("type"),
                   client.ingest ? QStringLiteral("subscriptions are made on a live channel: /api/ws/live, /api/ws/logs/{service}, "
                                                  "/api/ws/health, /api/ws/alerts or /ws/metrics")
                                 : QStringLiteral("this live channel takes subscribe, unsubscribe and ping; send data to /ws"));
        return;
    }
    if (subscription) {
        subscribe(conn, client, msg, type == "subscribe", id);
        return;
    }
    if (!data) {
        replyError(conn, id, 400, QStringLiteral("type"),
                   QStringLiteral("unknown type '%1': expected event, log, metric, subscribe, unsubscribe or ping")
                       .arg(QString::fromUtf8(type.data(), qsizetype(std::min<std::size_t>(type.size(), 64)))));
        return;
    }
    simdjson::dom::element items;
    if (msg["data"].get(items) || (!items.is_object() && !items.is_array())) {
        replyError(conn, id, 400, QStringLiteral("data"), QStringLiteral("data must be an object or an array of objects"));
        return;
    }
    ingest(conn, client, std::string(type), items, id);
}

void WebSocketHub::ingest(WsConnection *conn, Client &client, const std::string &kind, simdjson::dom::element data,
                          const QByteArray &id)
{
    HttpRequest request;
    request.method = "POST";
    request.path = "/ws";
    if (!client.defaultService.isEmpty())
        request.query = "service=" + client.defaultService.toPercentEncoding();
    request.headers.emplace_back("content-type", "application/json");
    request.body = QByteArray::fromStdString(simdjson::minify(data));
    request.receivedAt = nowNs();
    ++m_ingested;
    if (++client.pending >= m_options.maxPending)
        conn->setReadPaused(true);
    std::shared_ptr<ThreadMailbox> box = conn->mailbox();
    // Runs on the writer thread once committed (or here, for a refusal): the answer goes back to the
    // connection's thread, if it is still there.
    auto slot = std::make_shared<ResponseSlot>([this, conn, box, id](HttpResponse r) {
        box->post([this, conn, id, r = std::move(r)] {
            auto it = m_clients.find(conn);
            if (it == m_clients.end())
                return;
            if (--it->pending < m_options.maxPending)
                conn->setReadPaused(false);
            const bool ok = r.status < 300;
            conn->sendReply(envelope(ok ? "ack" : "error", id, r.status, ok ? "result" : "error", r.body));
        });
    });
    IngestRoute *route = kind == "metric" ? m_deps.metrics : m_deps.logs;
    // One client's messages are committed in the order it sent them.
    route->handle(std::move(request), HttpResponder(slot, 1), reinterpret_cast<std::size_t>(conn));
}

void WebSocketHub::subscribe(WsConnection *conn, Client &client, simdjson::dom::object msg, bool on, const QByteArray &id)
{
    std::string_view kind;
    if (msg["subscription_type"].get(kind)) {
        replyError(conn, id, 400, QStringLiteral("subscription_type"),
                   QStringLiteral("subscription_type is required: service_logs, logs, health, alerts, metrics or all"));
        return;
    }
    unsigned bits = 0;
    QByteArray service;
    if (kind == "service_logs") {
        std::string_view name;
        if (msg["service_name"].get(name) || name.empty() || name.size() > kMaxServiceName || !isDisplayableName(name)) {
            replyError(conn, id, 400, QStringLiteral("service_name"),
                       QStringLiteral("service_name is required for service_logs: at most 256 bytes without control characters"));
            return;
        }
        service = QByteArray(name.data(), qsizetype(name.size()));
        bits = ServiceLogs;
    } else if (kind == "logs") {
        bits = AllLogs;
    } else if (kind == "health") {
        bits = Health;
    } else if (kind == "alerts") {
        bits = Alerts;
    } else if (kind == "metrics") {
        bits = Metrics;
    } else if (kind == "all") {
        bits = AllLogs | Health | Alerts | Metrics;
    } else {
        replyError(conn, id, 400, QStringLiteral("subscription_type"),
                   QStringLiteral("unknown subscription_type: expected service_logs, logs, health, alerts, metrics or all"));
        return;
    }
    if (on) {
        if (!service.isEmpty() && !client.services.contains(service) && client.services.size() >= kMaxServicesPerClient) {
            replyError(conn, id, 400, QStringLiteral("service_name"),
                       QStringLiteral("at most %1 services per connection").arg(kMaxServicesPerClient));
            return;
        }
        client.subs |= bits;
        if (!service.isEmpty())
            client.services.insert(service);
    } else if (!service.isEmpty()) {
        client.services.remove(service);
        if (client.services.isEmpty())
            client.subs &= ~unsigned(ServiceLogs);
    } else {
        client.subs &= ~bits;
    }
    QByteArray reply = "{\"type\":\"" + QByteArray(on ? "subscribed" : "unsubscribed") + "\",\"id\":" + id
                       + ",\"subscription_type\":\"" + QByteArray(kind.data(), qsizetype(kind.size())) + "\"";
    if (!service.isEmpty())
        reply += ",\"service_name\":" + QJsonDocument(QJsonArray{QString::fromUtf8(service)}).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    conn->sendReply(reply + "}");
    updateWanted();
    if (on && (bits & Health))
        pollHealth();
}

void WebSocketHub::broadcast(unsigned sub, const QByteArray &text)
{
    for (auto it = m_clients.begin(); it != m_clients.end(); ++it)
        if (it->subs & sub)
            it.key()->sendDroppable(text) ? void() : void(++m_dropped);
}

void WebSocketHub::tick()
{
    ++m_ticks;
    const unsigned subs = allSubs();
    if (subs) {
        LiveFeed::Taken taken = m_deps.feed->take();
        m_logs += taken.committedLogs;
        m_errors += taken.committedErrors;
        m_points += taken.committedPoints;
        m_sampledOut += taken.sampledOut;
        if (subs & (AllLogs | ServiceLogs)) {
            for (const LogRecord &r : taken.logs) {
                const QByteArray text = message("log_processed", logData(r));
                const QByteArray service = QByteArray::fromStdString(r.service);
                for (auto it = m_clients.begin(); it != m_clients.end(); ++it) {
                    const bool wants = (it->subs & AllLogs) || ((it->subs & ServiceLogs) && it->services.contains(service));
                    if (wants && !it.key()->sendDroppable(text))
                        ++m_dropped;
                }
            }
        }
    }
    const qint64 every = std::max(1, m_options.metricsMs / m_options.tickMs);
    if ((subs & Metrics) && m_ticks % every == 0)
        sendMetrics();
    if ((subs & Health) && m_ticks % std::max(1, m_options.healthMs / m_options.tickMs) == 0)
        pollHealth();
    if ((subs & Alerts) && m_ticks % std::max(1, m_options.alertsMs / m_options.tickMs) == 0)
        pollAlerts();

    // Slow subscribers: told once their queue drains how much they missed; closed if it never does.
    const QList<WsConnection *> all = m_clients.keys();
    for (WsConnection *c : all) {
        Client &client = m_clients[c];
        if (c->stalledForMs() > m_options.slowCloseMs) {
            c->closeWith(1008, "the client does not read its messages fast enough");
            continue;
        }
        if (c->dropped() > client.droppedReported && !c->queueFull()) {
            c->sendReply(message("dropped", QJsonObject{{QStringLiteral("messages"), c->dropped() - client.droppedReported}}));
            client.droppedReported = c->dropped();
        }
        if (m_ticks % std::max<qint64>(1, kPingEveryMs / m_options.tickMs) == 0) {
            if (c->idleForMs() > kIdleCloseMs)
                c->closeWith(1001, "no answer to pings");
            else
                c->ping();
        }
    }
}

void WebSocketHub::sendMetrics()
{
    const qint64 now = nowNs();
    const double seconds = std::max(1e-3, double(now - m_lastMetricsAt) / double(kNsPerSec));
    const IngestStats &s = *m_deps.ingestStats;
    const QJsonObject data{
        {QStringLiteral("ts"), QString::fromStdString(formatIsoMs(now))},
        {QStringLiteral("events_per_second"), double(m_logs + m_points) / seconds},
        {QStringLiteral("logs_per_second"), double(m_logs) / seconds},
        {QStringLiteral("points_per_second"), double(m_points) / seconds},
        {QStringLiteral("error_rate"), m_logs ? double(m_errors) / double(m_logs) : 0.0},
        {QStringLiteral("accepted_total"), qint64(s.itemsAccepted)},
        {QStringLiteral("rejected_total"), qint64(s.itemsRejected)},
        {QStringLiteral("requests_total"), qint64(s.requests)},
        {QStringLiteral("websocket_connections"), connectionCount()},
        {QStringLiteral("dropped_messages"), m_dropped},
        {QStringLiteral("sampled_out"), m_sampledOut},
    };
    m_logs = m_errors = m_points = m_sampledOut = 0;
    m_lastMetricsAt = now;
    broadcast(Metrics, message("metrics", data));
}

void WebSocketHub::pollHealth()
{
    if (m_healthInFlight || !m_deps.internalGet)
        return;
    m_healthInFlight = true;
    m_deps.internalGet("/api/health/services", {}, [this, box = m_mailbox](HttpResponse r) {
        box->post([this, r = std::move(r)] {
            m_healthInFlight = false;
            if (r.status != 200)
                return;
            broadcast(Health, "{\"type\":\"health_update\",\"data\":" + r.body + "}");
        });
    });
}

void WebSocketHub::pollAlerts()
{
    if (m_alertsInFlight || !m_deps.internalGet)
        return;
    m_alertsInFlight = true;
    m_deps.internalGet("/api/alerts", "state=firing&limit=100", [this, box = m_mailbox](HttpResponse r) {
        box->post([this, r = std::move(r)] {
            m_alertsInFlight = false;
            if (r.status != 200)
                return;
            const QJsonArray items = QJsonDocument::fromJson(r.body).object().value(QStringLiteral("items")).toArray();
            // The alerts firing when the first subscriber came are known; the ones after are news.
            const bool announce = m_alertsPrimed;
            m_alertsPrimed = true;
            for (const QJsonValue &v : items) {
                const QJsonObject alert = v.toObject();
                const QString id = alert.value(QStringLiteral("id")).toVariant().toString();
                if (id.isEmpty() || m_seenAlerts.contains(id))
                    continue;
                m_seenAlerts.insert(id);
                m_seenOrder.push_back(id);
                if (int(m_seenOrder.size()) > kMaxSeenAlerts) {
                    m_seenAlerts.remove(m_seenOrder.front());
                    m_seenOrder.pop_front();
                }
                if (announce)
                    broadcast(Alerts, message("alert_triggered", alert));
            }
        });
    });
}

} // namespace fg
