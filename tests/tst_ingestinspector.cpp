#include <QJsonArray>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "api/ingestinspector.h"
#include "engine/engine.h"
#include "testhttpclient.h"

using namespace fg;

// The ingest inspector over a real listener: requests refused whole or in part by each protocol are kept
// (newest first, at most 100) with route, status, reason, field path and client address; the sources
// list says per ingest route what arrived and when items were last committed.
class TstIngestInspector : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;

    QJsonArray rejections()
    {
        TestHttpClient http(m_engine->port());
        const HttpReply r = http.get("/api/ingest/rejections");
        return r.json().value(QStringLiteral("items")).toArray();
    }
    QJsonObject source(const QString &route)
    {
        TestHttpClient http(m_engine->port());
        for (const QJsonValue &v : http.get("/api/ingest/sources").json().value(QStringLiteral("items")).toArray())
            if (v.toObject().value(QStringLiteral("route")).toString() == route)
                return v.toObject();
        return {};
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("inspector.db"));
        m_engine = std::make_unique<Engine>(c);
        QString error;
        QVERIFY2(m_engine->start(&error), qPrintable(error));
    }
    void cleanupTestCase() { m_engine->stop(); }

    void readsEachDialectsAnswer()
    {
        // Native partial success: the first refused item's field and message.
        auto r = IngestInspector::read(202, "{\"accepted\":1,\"duplicates\":0,\"rejected\":2,\"errors\":[{\"index\":1,\"field\":\"ts\",\"message\":\"not a time\"},{\"index\":2,\"field\":\"service\",\"message\":\"missing\"}]}");
        QCOMPARE(r.rejectedItems, 2);
        QCOMPARE(r.field, QStringLiteral("ts"));
        QVERIFY2(r.reason.startsWith(QStringLiteral("item 1: not a time")), qPrintable(r.reason));
        // OTLP partial success.
        r = IngestInspector::read(200, "{\"partialSuccess\":{\"rejectedDataPoints\":3,\"errorMessage\":\"3 data points rejected: #0 exponentialHistogram: not supported\"}}");
        QCOMPARE(r.rejectedItems, 3);
        QVERIFY(r.reason.contains(QStringLiteral("exponentialHistogram")));
        // An error body names its field in details.
        r = IngestInspector::read(415, "{\"error\":\"unsupported_media_type\",\"message\":\"protobuf is not supported\",\"details\":{\"field\":\"Content-Type\"}}");
        QCOMPARE(r.field, QStringLiteral("Content-Type"));
        QCOMPARE(r.reason, QStringLiteral("protobuf is not supported"));
    }

    void keepsRefusalsFromEveryProtocol()
    {
        TestHttpClient http(m_engine->port());
        QCOMPARE(http.post("/api/ingest/logs", "[{\"service\":\"a\",\"message\":\"ok\"},{\"service\":\"a\",\"ts\":\"yesterday-ish\",\"message\":\"bad\"}]").status, 202);
        QCOMPARE(http.post("/v1/logs", "<logs/>", "application/xml").status, 415);
        QCOMPARE(http.post("/loki/api/v1/push", "{\"streams\":[{\"stream\":{\"app\":\"x\"},\"values\":[[\"not-a-time\",\"line\"]]}]}").status, 400);
        QCOMPARE(http.post("/ingest?service=raw", "GET / 200 5ms\n", "text/plain").status, 202); // nothing refused

        const QJsonArray items = rejections();
        QCOMPARE(items.size(), 3);
        const QJsonObject loki = items.at(0).toObject(); // newest first
        QCOMPARE(loki.value(QStringLiteral("route")).toString(), QStringLiteral("/loki/api/v1/push"));
        QCOMPARE(loki.value(QStringLiteral("status")).toInt(), 400);
        QVERIFY(!loki.value(QStringLiteral("reason")).toString().isEmpty());
        const QJsonObject otlp = items.at(1).toObject();
        QCOMPARE(otlp.value(QStringLiteral("route")).toString(), QStringLiteral("/v1/logs"));
        QCOMPARE(otlp.value(QStringLiteral("status")).toInt(), 415);
        QCOMPARE(otlp.value(QStringLiteral("field")).toString(), QStringLiteral("Content-Type"));
        const QJsonObject native = items.at(2).toObject();
        QCOMPARE(native.value(QStringLiteral("route")).toString(), QStringLiteral("/api/ingest/logs"));
        QCOMPARE(native.value(QStringLiteral("status")).toInt(), 202);
        QCOMPARE(native.value(QStringLiteral("partial")).toBool(), true);
        QCOMPARE(native.value(QStringLiteral("rejected_items")).toInt(), 1);
        QCOMPARE(native.value(QStringLiteral("field")).toString(), QStringLiteral("ts"));
        QCOMPARE(native.value(QStringLiteral("source")).toString(), QStringLiteral("127.0.0.1"));
        QVERIFY(!native.value(QStringLiteral("at")).toString().isEmpty());

        // Sources: what each route received.
        const QJsonObject logs = source(QStringLiteral("/api/ingest/logs"));
        QCOMPARE(logs.value(QStringLiteral("accepted")).toInteger(), 1);
        QCOMPARE(logs.value(QStringLiteral("rejected")).toInteger(), 1);
        QVERIFY(logs.value(QStringLiteral("last_accepted_at")).isString());
        QCOMPARE(source(QStringLiteral("/ingest")).value(QStringLiteral("accepted")).toInteger(), 1);
        const QJsonObject lokiSource = source(QStringLiteral("/loki/api/v1/push"));
        QCOMPARE(lokiSource.value(QStringLiteral("accepted")).toInteger(), 0);
        QVERIFY(lokiSource.value(QStringLiteral("last_accepted_at")).isNull());
        QCOMPARE(source(QStringLiteral("/v1/traces")).value(QStringLiteral("protocol")).toString(), QStringLiteral("otlp"));
        // An OTLP protobuf refusal is answered in protobuf; its reason is read from there.
        QCOMPARE(http.post("/v1/traces", QByteArray("\x0a\xff\xff\x0f", 4), "application/x-protobuf").status, 400);
        const QJsonObject proto = rejections().at(0).toObject();
        QCOMPARE(proto.value(QStringLiteral("route")).toString(), QStringLiteral("/v1/traces"));
        QCOMPARE(proto.value(QStringLiteral("status")).toInt(), 400);
        QVERIFY2(proto.value(QStringLiteral("reason")).toString().contains(QStringLiteral("protobuf")),
                 qPrintable(proto.value(QStringLiteral("reason")).toString()));
    }

    void keepsOnlyTheLastHundred()
    {
        TestHttpClient http(m_engine->port());
        for (int i = 0; i < 130; ++i)
            QCOMPARE(http.post("/api/ingest/metrics", "{\"service\":\"m\",\"name\":\"n" + QByteArray::number(i) + "\"}").status, 422);
        const QJsonArray items = rejections();
        QCOMPARE(items.size(), int(IngestInspector::kCapacity));
        for (const QJsonValue &v : items)
            QCOMPARE(v.toObject().value(QStringLiteral("route")).toString(), QStringLiteral("/api/ingest/metrics"));
    }
};

QTEST_MAIN(TstIngestInspector)
#include "tst_ingestinspector.moc"
