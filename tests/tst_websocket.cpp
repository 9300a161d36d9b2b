#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include "auth/tokenfile.h"
#include "engine/engine.h"
#include "ingest/wsframes.h"
#include "testhttpclient.h"

using namespace fg;

namespace {

// A client frame as browsers and QWebSocket send it: masked.
QByteArray masked(int opcode, const QByteArray &payload, bool fin = true)
{
    QByteArray out;
    out.append(char((fin ? 0x80 : 0) | opcode));
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    if (payload.size() < 126) {
        out.append(char(0x80 | payload.size()));
    } else {
        out.append(char(0x80 | 126));
        out.append(char(payload.size() >> 8));
        out.append(char(payload.size() & 0xFF));
    }
    out.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(char(payload[i] ^ mask[i & 3]));
    return out;
}

// Collects a socket's text messages as JSON objects.
struct Inbox {
    explicit Inbox(QWebSocket &socket)
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket,
                         [this](const QString &text) { messages.append(QJsonDocument::fromJson(text.toUtf8()).object()); });
    }
    QList<QJsonObject> ofType(const QString &type) const
    {
        QList<QJsonObject> out;
        for (const QJsonObject &m : messages)
            if (m.value(QStringLiteral("type")).toString() == type)
                out.append(m);
        return out;
    }
    QList<QJsonObject> messages;
};

} // namespace

// WebSocket ingest and live channels on the HTTP listener, with a real QWebSocket client against a real
// engine (listener on port 0, SQLite file), read back through the query API; and the frame reader alone.
class TstWebSocket : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;

    static QString field(const HttpReply &r)
    {
        return r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString();
    }
    QUrl url(const QString &path) const { return QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(m_port).arg(path)); }
    bool open(QWebSocket &socket, const QString &path)
    {
        QSignalSpy connected(&socket, &QWebSocket::connected);
        socket.open(url(path));
        return connected.wait(5000) || connected.size() == 1;
    }
    QJsonArray logs(const QByteArray &service)
    {
        TestHttpClient c(m_port);
        return c.get("/api/logs?service=" + service).json().value(QStringLiteral("items")).toArray();
    }
    QByteArray upgradeHead(const QByteArray &path, const QByteArray &extra = {}) const
    {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port)
               + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
               + extra + "\r\n";
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("ws.db"));
        c.retentionSeconds = 0;
        c.maxWebSocketConnections = 6;
        m_engine = std::make_unique<Engine>(c);
        QString err;
        QVERIFY2(m_engine->start(&err), qPrintable(err));
        m_port = m_engine->port();
    }
    void cleanupTestCase() { m_engine.reset(); }

    void frameReaderFragmentsAndLimits()
    {
        WsLimits limits;
        limits.maxFrameBytes = 1000;
        limits.maxMessageBytes = 1500;
        // A fragmented text message with a ping between its fragments, fed one byte at a time.
        const QByteArray stream = masked(1, "hello ", false) + masked(9, "p") + masked(0, QByteArray(300, 'x'));
        WsFrameReader reader(limits);
        QList<WsFrameReader::Event> events;
        for (char byte : stream) {
            reader.append(&byte, 1);
            for (auto e = reader.next(); e.kind != WsFrameReader::Kind::NeedMore; e = reader.next())
                events.append(e);
        }
        QCOMPARE(events.size(), 2);
        QCOMPARE(events[0].kind, WsFrameReader::Kind::Ping);
        QCOMPARE(events[1].kind, WsFrameReader::Kind::Text);
        QCOMPARE(events[1].payload, "hello " + QByteArray(300, 'x'));

        auto firstError = [&](const QByteArray &bytes) {
            WsFrameReader r(limits);
            r.append(bytes);
            for (auto e = r.next(); e.kind != WsFrameReader::Kind::NeedMore; e = r.next())
                if (e.kind == WsFrameReader::Kind::Error)
                    return int(e.closeCode);
            return 0;
        };
        QByteArray unmasked = masked(1, "hi");
        unmasked[1] = char(unmasked[1] & 0x7F);
        QCOMPARE(firstError(unmasked), 1002);                                   // clients must mask
        QCOMPARE(firstError(masked(1, QByteArray(1001, 'a'))), 1009);            // frame over the limit
        QCOMPARE(firstError(masked(1, QByteArray(900, 'a'), false) + masked(0, QByteArray(900, 'a'))), 1009); // message
        QCOMPARE(firstError(masked(1, "\xC3\x28")), 1007);                       // not UTF-8
        QCOMPARE(firstError(masked(0, "x")), 1002);                              // continuation of nothing
        QCOMPARE(firstError(masked(9, "p", false)), 1002);                       // fragmented control frame
        QCOMPARE(firstError(masked(1, "a", false) + masked(1, "b")), 1002);      // new message mid-message
        QCOMPARE(firstError(masked(3, "x")), 1002);                              // unknown opcode
        QCOMPARE(firstError(masked(1, "ok \xE2\x82\xAC")), 0);                   // valid UTF-8
        // The accept key of RFC 6455's example.
        QCOMPARE(wsAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    }

    void ingestAckedAfterCommitAndQueryable()
    {
        QWebSocket ws;
        Inbox inbox(ws);
        QVERIFY(open(ws, QStringLiteral("/ws")));
        ws.sendTextMessage(QStringLiteral("{\"type\":\"log\",\"id\":\"a1\",\"data\":{\"service\":\"ws-ingest\",\"level\":\"error\","
                                          "\"message\":\"payment timeout\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\"}}"));
        ws.sendTextMessage(QStringLiteral("{\"type\":\"event\",\"data\":[{\"service\":\"ws-ingest\",\"message\":\"one\"},"
                                          "{\"service\":\"ws-ingest\",\"message\":\"two\"}]}"));
        ws.sendTextMessage(QStringLiteral("{\"type\":\"metric\",\"id\":7,\"data\":{\"service\":\"ws-ingest\",\"name\":\"queue.depth\","
                                          "\"value\":42}}"));
        QTRY_COMPARE_WITH_TIMEOUT(inbox.ofType(QStringLiteral("ack")).size(), 3, 10000);
        const QList<QJsonObject> acks = inbox.ofType(QStringLiteral("ack"));
        // In order, each after its commit, with the native answer's counts.
        QCOMPARE(acks[0].value(QStringLiteral("id")).toString(), QStringLiteral("a1"));
        QCOMPARE(acks[0].value(QStringLiteral("result")).toObject().value(QStringLiteral("accepted")).toInt(), 1);
        QCOMPARE(acks[1].value(QStringLiteral("id")).toInt(), 2);
        QCOMPARE(acks[1].value(QStringLiteral("result")).toObject().value(QStringLiteral("accepted")).toInt(), 2);
        QCOMPARE(acks[2].value(QStringLiteral("id")).toInt(), 7);
        // Acknowledged means stored: readable at once.
        const QJsonArray stored = logs("ws-ingest");
        QCOMPARE(stored.size(), 3);
        QCOMPARE(stored.last().toObject().value(QStringLiteral("message")).toString(), QStringLiteral("payment timeout"));
        QCOMPARE(stored.last().toObject().value(QStringLiteral("level")).toString(), QStringLiteral("ERROR"));
        TestHttpClient c(m_port);
        QCOMPARE(c.get("/api/metrics?service=ws-ingest&name=queue.depth").json().value(QStringLiteral("items")).toArray().size(), 1);
        // Self-metrics count the socket and the items.
        const QByteArray metrics = c.get("/metrics").body;
        QVERIFY2(metrics.contains("flowguard_websocket_connections "), metrics);
        QVERIFY(metrics.contains("flowguard_events_total{protocol=\"websocket\",signal=\"logs\"} 3"));
    }

    void badMessagesAnsweredNothingStored()
    {
        QWebSocket ws;
        Inbox inbox(ws);
        QVERIFY(open(ws, QStringLiteral("/ws")));
        const QStringList bad{
            QStringLiteral("not json"),
            QStringLiteral("[1,2]"),
            QStringLiteral("{\"data\":{}}"),
            QStringLiteral("{\"type\":\"bogus\",\"data\":{}}"),
            QStringLiteral("{\"type\":\"log\"}"),
            QStringLiteral("{\"type\":\"log\",\"data\":{\"service\":\"ws-bad\",\"message\":\"x\",\"level\":\"nonsense-level-value\","
                           "\"ts\":\"yesterday\"}}"),
            QStringLiteral("{\"type\":\"subscribe\",\"subscription_type\":\"logs\"}"),
        };
        for (const QString &m : bad)
            ws.sendTextMessage(m);
        QTRY_COMPARE_WITH_TIMEOUT(inbox.ofType(QStringLiteral("error")).size(), bad.size(), 10000);
        const QList<QJsonObject> errors = inbox.ofType(QStringLiteral("error"));
        auto field = [&](int i) {
            return errors[i].value(QStringLiteral("error")).toObject().value(QStringLiteral("details")).toObject()
                .value(QStringLiteral("field")).toString();
        };
        QCOMPARE(field(0), QStringLiteral("message"));
        QCOMPARE(field(1), QStringLiteral("message"));
        QCOMPARE(field(2), QStringLiteral("type"));
        QCOMPARE(field(3), QStringLiteral("type"));
        QCOMPARE(field(4), QStringLiteral("data"));
        // Answers to data come once the ingest route is done with it, so by id (the message's number here).
        const QJsonObject badLog = [&] {
            for (const QJsonObject &e : errors)
                if (e.value(QStringLiteral("id")).toInt() == 6)
                    return e;
            return QJsonObject();
        }();
        QCOMPARE(badLog.value(QStringLiteral("status")).toInt(), 422);
        QVERIFY2(QJsonDocument(badLog).toJson(QJsonDocument::Compact).contains("\"field\":\"ts\""), QJsonDocument(badLog).toJson());
        // Subscriptions belong to the live channels (read scope), not to the ingest socket.
        QCOMPARE(field(5), QStringLiteral("type"));
        QCOMPARE(logs("ws-bad").size(), 0);
        QVERIFY(ws.state() == QAbstractSocket::ConnectedState);
        // A binary message is not JSON text: closed with 1003.
        QSignalSpy closed(&ws, &QWebSocket::disconnected);
        ws.sendBinaryMessage(QByteArray("\x01\x02", 2));
        QVERIFY(closed.wait(5000));
        QCOMPARE(int(ws.closeCode()), 1003);
    }

    void liveChannelsDeliverLogsHealthAndMetrics()
    {
        QWebSocket serviceLogs, live, health, metrics, alerts;
        Inbox serviceInbox(serviceLogs), liveInbox(live), healthInbox(health), metricsInbox(metrics), alertsInbox(alerts);
        QVERIFY(open(serviceLogs, QStringLiteral("/api/ws/logs/ws-live")));
        QVERIFY(open(live, QStringLiteral("/api/ws/live")));
        QVERIFY(open(health, QStringLiteral("/api/ws/health")));
        QVERIFY(open(metrics, QStringLiteral("/ws/metrics")));
        QVERIFY(open(alerts, QStringLiteral("/api/ws/alerts")));
        // The alerts channel also follows one service's logs once it asks.
        alerts.sendTextMessage(QStringLiteral("{\"type\":\"subscribe\",\"subscription_type\":\"service_logs\",\"service_name\":\"ws-other\"}"));
        QTRY_COMPARE_WITH_TIMEOUT(alertsInbox.ofType(QStringLiteral("subscribed")).size(), 1, 5000);

        TestHttpClient c(m_port);
        QCOMPARE(c.post("/api/ingest/logs", "{\"service\":\"ws-live\",\"level\":\"error\",\"message\":\"disk full\"}").status, 202);
        QCOMPARE(c.post("/api/ingest/logs", "{\"service\":\"ws-other\",\"message\":\"fine\"}").status, 202);

        QTRY_VERIFY_WITH_TIMEOUT(serviceInbox.ofType(QStringLiteral("log_processed")).size() >= 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(liveInbox.ofType(QStringLiteral("log_processed")).size() >= 2, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(alertsInbox.ofType(QStringLiteral("log_processed")).size() >= 1, 5000);
        for (const QJsonObject &m : serviceInbox.ofType(QStringLiteral("log_processed")))
            QCOMPARE(m.value(QStringLiteral("data")).toObject().value(QStringLiteral("service")).toString(), QStringLiteral("ws-live"));
        for (const QJsonObject &m : alertsInbox.ofType(QStringLiteral("log_processed")))
            QCOMPARE(m.value(QStringLiteral("data")).toObject().value(QStringLiteral("service")).toString(), QStringLiteral("ws-other"));
        const QJsonObject first = serviceInbox.ofType(QStringLiteral("log_processed")).first().value(QStringLiteral("data")).toObject();
        QCOMPARE(first.value(QStringLiteral("message")).toString(), QStringLiteral("disk full"));
        QCOMPARE(first.value(QStringLiteral("level")).toString(), QStringLiteral("ERROR"));

        QTRY_VERIFY_WITH_TIMEOUT(!healthInbox.ofType(QStringLiteral("health_update")).isEmpty(), 8000);
        QVERIFY(healthInbox.ofType(QStringLiteral("health_update")).first().value(QStringLiteral("data")).isObject());
        QTRY_VERIFY_WITH_TIMEOUT(!metricsInbox.ofType(QStringLiteral("metrics")).isEmpty(), 8000);
        const QJsonObject m = metricsInbox.ofType(QStringLiteral("metrics")).first().value(QStringLiteral("data")).toObject();
        QVERIFY(m.contains(QStringLiteral("events_per_second")));
        QVERIFY(m.value(QStringLiteral("websocket_connections")).toInt() >= 5);
        // The metrics channel takes no ingest.
        metrics.sendTextMessage(QStringLiteral("{\"type\":\"log\",\"data\":{\"service\":\"ws-live\",\"message\":\"x\"}}"));
        QTRY_COMPARE_WITH_TIMEOUT(metricsInbox.ofType(QStringLiteral("error")).size(), 1, 5000);
    }

    void upgradeRefusals()
    {
        TestHttpClient c(m_port);
        // A plain GET on a WebSocket path.
        HttpReply r = c.get("/ws");
        QCOMPARE(r.status, 426);
        QCOMPARE(field(r), QStringLiteral("Upgrade"));
        // A page on another site must not open a socket here.
        TestHttpClient fromPage(m_port);
        r = fromPage.raw(upgradeHead("/api/ws/live", "Origin: http://evil.example\r\n"));
        QCOMPARE(r.status, 403);
        QCOMPARE(field(r), QStringLiteral("Origin"));
        TestHttpClient badKey(m_port);
        r = badKey.raw(upgradeHead("/ws").replace("dGhlIHNhbXBsZSBub25jZQ==", "short"));
        QCOMPARE(r.status, 400);
        QCOMPARE(field(r), QStringLiteral("Sec-WebSocket-Key"));
        // The connection cap (6 in this test): further upgrades are refused with 503.
        std::vector<std::unique_ptr<QWebSocket>> held;
        int opened = 0;
        for (int i = 0; i < 8; ++i) {
            held.push_back(std::make_unique<QWebSocket>());
            opened += open(*held.back(), QStringLiteral("/api/ws/health")) ? 1 : 0;
        }
        QCOMPARE(opened, 6);
        TestHttpClient over(m_port);
        QCOMPARE(over.raw(upgradeHead("/ws")).status, 503);
        held.clear();
        // Closed sockets free their places.
        QTRY_VERIFY_WITH_TIMEOUT(TestHttpClient(m_port).get("/metrics").body.contains("flowguard_websocket_connections 0"), 5000);
    }

    void tokensAndScopesApplyToTheUpgrade()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("ws-auth.db"));
        c.retentionSeconds = 0;
        c.requireAuth = true;
        TokenFile file(TokenFile::pathFor(c.dbPath));
        ApiToken t;
        QString error;
        const QByteArray ingest = file.create(QStringLiteral("collector"), TokenScope::Ingest, &t, &error).value_or(QByteArray());
        const QByteArray read = file.create(QStringLiteral("dashboard"), TokenScope::Read, &t, &error).value_or(QByteArray());
        QVERIFY2(!ingest.isEmpty() && !read.isEmpty(), qPrintable(error));
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        auto status = [&](const QByteArray &path, const QByteArray &token) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, engine.port());
            if (!s.waitForConnected(5000))
                return 0;
            QByteArray head = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(engine.port())
                              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
            if (!token.isEmpty())
                head += "Authorization: Bearer " + token + "\r\n";
            s.write(head + "\r\n");
            QByteArray reply;
            while (!reply.contains("\r\n\r\n") && s.waitForReadyRead(5000))
                reply += s.readAll();
            return reply.mid(9, 3).toInt();
        };
        QCOMPARE(status("/ws", {}), 401);
        QCOMPARE(status("/ws", ingest), 101);
        QCOMPARE(status("/ws", read), 403);
        QCOMPARE(status("/api/ws/live", ingest), 403);
        QCOMPARE(status("/api/ws/live", read), 101);
        QCOMPARE(status("/ws/metrics", read), 101);
        // A real client with its token: ingest acknowledged.
        QWebSocket ws;
        Inbox inbox(ws);
        QNetworkRequest request(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(engine.port())));
        request.setRawHeader("Authorization", "Bearer " + ingest);
        QSignalSpy connected(&ws, &QWebSocket::connected);
        ws.open(request);
        QVERIFY(connected.wait(5000));
        ws.sendTextMessage(QStringLiteral("{\"type\":\"log\",\"data\":{\"service\":\"ws-auth\",\"message\":\"hello\"}}"));
        QTRY_COMPARE_WITH_TIMEOUT(inbox.ofType(QStringLiteral("ack")).size(), 1, 5000);
    }

    void slowSubscriberDroppedNotIngest()
    {
        // A subscriber that never reads: its queue fills, live messages to it are dropped, ingest goes on.
        QTcpSocket stuck;
        stuck.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(stuck.waitForConnected(5000));
        stuck.write(upgradeHead("/api/ws/live"));
        QVERIFY(stuck.waitForReadyRead(5000));
        QVERIFY(stuck.readAll().startsWith("HTTP/1.1 101"));
        stuck.setReadBufferSize(1); // Qt's buffer stays empty: the kernel's fills, then the server's

        TestHttpClient c(m_port);
        QByteArray body;
        for (int i = 0; i < 200; ++i)
            body += "{\"service\":\"ws-flood\",\"message\":\"line " + QByteArray::number(i) + " " + QByteArray(200, 'x') + "\"}\n";
        auto droppedSoFar = [&] {
            const QByteArray m = c.get("/metrics").body;
            const qsizetype at = m.indexOf("\nflowguard_websocket_dropped_messages_total ");
            return at < 0 ? -1 : m.mid(at + 44, m.indexOf('\n', at + 1) - at - 44).toLongLong();
        };
        const qint64 before = droppedSoFar();
        QVERIFY(before >= 0);
        QElapsedTimer t;
        t.start();
        bool dropped = false;
        int posts = 0;
        while (!dropped && t.elapsed() < 30'000 && posts < 3000) {
            QCOMPARE(c.post("/api/ingest/logs", body, "application/x-ndjson").status, 202);
            ++posts;
            if (posts % 20 == 0) {
                QTest::qWait(250);
                dropped = droppedSoFar() > before;
            }
        }
        QVERIFY2(dropped, "no live message was dropped for a subscriber that does not read");
        // It is closed once it stays full (10 s); ingest was never held up meanwhile.
        QTRY_VERIFY_WITH_TIMEOUT(c.get("/metrics").body.contains("flowguard_websocket_connections 0"), 20000);
    }
};

QTEST_MAIN(TstWebSocket)
#include "tst_websocket.moc"
