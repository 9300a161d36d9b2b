#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "engine/engine.h"
#include "testhttpclient.h"

using namespace fg;

// What log shippers send, over real sockets into a real engine (listener on port 0, SQLite file), read
// back through the query API: the Elasticsearch _bulk subset and its probes.
class TstShippers : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;

    QJsonArray logs(const QByteArray &service)
    {
        TestHttpClient c(m_port);
        return c.get("/api/logs?service=" + service).json().value(QStringLiteral("items")).toArray();
    }
    static QString str(const QJsonValue &v, const char *key) { return v.toObject().value(QLatin1String(key)).toString(); }
    HttpReply bulk(const QByteArray &target, const QByteArray &body, const QByteArray &extraHeader = {})
    {
        TestHttpClient c(m_port);
        TestHttpClient::Headers headers{{"Content-Type", "application/x-ndjson"}};
        if (!extraHeader.isEmpty())
            headers.append({extraHeader.left(extraHeader.indexOf(':')), extraHeader.mid(extraHeader.indexOf(':') + 1).trimmed()});
        return c.request("POST", target, body, headers);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("shippers.db"));
        c.retentionSeconds = 0;
        m_engine = std::make_unique<Engine>(c);
        QString err;
        QVERIFY2(m_engine->start(&err), qPrintable(err));
        m_port = m_engine->port();
    }
    void cleanupTestCase() { m_engine.reset(); }

    void elasticProbes()
    {
        TestHttpClient c(m_port);
        HttpReply r = c.get("/");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-elastic-product"), QByteArray("Elasticsearch"));
        QCOMPARE(r.json().value(QStringLiteral("version")).toObject().value(QStringLiteral("number")).toString(), QStringLiteral("8.11.0"));
        QCOMPARE(r.json().value(QStringLiteral("tagline")).toString(), QStringLiteral("You Know, for Search"));
        r = c.request("HEAD", "/_cat/health", {}, {});
        QCOMPARE(r.status, 200);
        r = c.get("/_cluster/health");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("green"));
        QCOMPARE(c.request("DELETE", "/_cluster/health", {}, {}).status, 405);
    }

    void elasticBulkPerItemResults()
    {
        const QByteArray body =
            "{\"create\":{\"_index\":\"logs-checkout\"}}\n"
            "{\"@timestamp\":\"2026-01-01T00:00:00.123Z\",\"message\":\"payment gateway timeout after 3000 ms\","
            "\"log\":{\"level\":\"error\"},\"service\":{\"name\":\"es-checkout\"},\"host\":{\"name\":\"web-1\"}}\n"
            "{\"index\":{\"_index\":\"logs-checkout\",\"_type\":\"_doc\",\"_id\":\"x1\"}}\n"
            "{\"@timestamp\":1767225601000,\"msg\":\"retrying\",\"level\":\"warn\",\"app\":\"es-checkout\",\"attempt\":2}\n"
            "{\"delete\":{\"_index\":\"logs-checkout\",\"_id\":\"x0\"}}\n"
            "{\"create\":{\"_index\":\"logs-checkout\"}}\n"
            "{\"@timestamp\":\"2026-01-01T00:00:02Z\",\"service.name\":\"es-checkout\"}\n"
            "{\"update\":{\"_index\":\"logs-checkout\",\"_id\":\"x2\"}}\n"
            "{\"doc\":{\"a\":1}}\n"
            "{\"index\":{}}\n"
            "not json"; // and no final newline
        const HttpReply r = bulk("/_bulk", body);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-elastic-product"), QByteArray("Elasticsearch"));
        const QJsonObject json = r.json();
        QCOMPARE(json.value(QStringLiteral("errors")).toBool(), true);
        const QJsonArray items = json.value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 6);
        auto status = [&](int i, const char *action) {
            return items[i].toObject().value(QLatin1String(action)).toObject().value(QStringLiteral("status")).toInt();
        };
        QCOMPARE(status(0, "create"), 201);
        QCOMPARE(status(1, "index"), 201);
        QCOMPARE(status(2, "delete"), 404);
        QCOMPARE(status(3, "create"), 400);
        const QJsonObject error = items[3].toObject().value(QStringLiteral("create")).toObject().value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("mapper_parsing_exception"));
        QCOMPARE(error.value(QStringLiteral("field")).toString(), QStringLiteral("message"));
        QCOMPARE(status(4, "update"), 200);
        QCOMPARE(status(5, "index"), 400);

        const QJsonArray stored = logs("es-checkout");
        QCOMPARE(stored.size(), 2);
        const QJsonValue warn = stored[0], err = stored[1]; // newest first
        QCOMPARE(str(err, "message"), QStringLiteral("payment gateway timeout after 3000 ms"));
        QCOMPARE(str(err, "level"), QStringLiteral("ERROR"));
        QCOMPARE(str(err, "ts"), QStringLiteral("2026-01-01T00:00:00.123Z"));
        QCOMPARE(err.toObject().value(QStringLiteral("attributes")).toObject().value(QStringLiteral("host")).toObject()
                     .value(QStringLiteral("name")).toString(), QStringLiteral("web-1"));
        QCOMPARE(str(warn, "level"), QStringLiteral("WARN"));
        QCOMPARE(str(warn, "ts"), QStringLiteral("2026-01-01T00:00:01.000Z"));
        QCOMPARE(warn.toObject().value(QStringLiteral("attributes")).toObject().value(QStringLiteral("attempt")).toInt(), 2);
    }

    void elasticIndexInUrlAndGzip()
    {
        const QByteArray body = "{\"index\":{}}\n{\"message\":\"from fluent bit\",\"level\":\"info\"}\n"
                                "{\"index\":{}}\n{\"log\":\"second line\"}\n";
        const HttpReply r = bulk("/es-fluent/_bulk", gzip(body), "Content-Encoding: gzip");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("errors")).toBool(), false);
        const QJsonArray stored = logs("es-fluent");
        QCOMPARE(stored.size(), 2);
        QCOMPARE(str(stored[0], "message"), QStringLiteral("second line"));
    }

    void elasticMalformedActionsStoreNothing()
    {
        HttpReply r = bulk("/_bulk", "{\"index\":{}}\n{\"message\":\"ok\",\"service\":\"es-bad\"}\n{\"frobnicate\":{}}\n{}\n");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("body"));
        QVERIFY(r.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("reason")).toString().contains(QStringLiteral("line 3")));
        r = bulk("/_bulk", "[1,2,3]\n");
        QCOMPARE(r.status, 400);
        TestHttpClient c(m_port);
        QCOMPARE(c.request("POST", "/_bulk", "{}", {{"Content-Type", "application/xml"}}).status, 415);
        QCOMPARE(logs("es-bad").size(), 0);
        QCOMPARE(c.get("/_bulk").status, 405);
    }
};

QTEST_MAIN(TstShippers)
#include "tst_shippers.moc"
