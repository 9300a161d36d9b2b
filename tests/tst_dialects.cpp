#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "engine/engine.h"
#include "testhttpclient.h"

using namespace fg;

// The signal ingest dialect (POST /ingest/logs, /ingest/traces, /ingest/metrics with idempotent signal_id)
// over real HTTP into a real engine, read back through the query API.
class TstDialects : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;

    QJsonArray items(const QByteArray &target)
    {
        TestHttpClient c(m_port);
        return c.get(target).json().value(QStringLiteral("items")).toArray();
    }
    static QString str(const QJsonValue &v, const char *key) { return v.toObject().value(QLatin1String(key)).toString(); }
    static QString field(const HttpReply &r)
    {
        const QJsonArray errors = r.json().value(QStringLiteral("errors")).toArray();
        return errors.isEmpty() ? QString() : str(errors[0], "field");
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("dialects.db"));
        c.retentionSeconds = 0;
        m_engine = std::make_unique<Engine>(c);
        QString err;
        QVERIFY2(m_engine->start(&err), qPrintable(err));
        m_port = m_engine->port();
    }
    void cleanupTestCase() { m_engine.reset(); }

    void signalLogsIdempotent()
    {
        const QByteArray body =
            "{\"signal_id\":\"3f1c2b9e-8d4a-4c1e-9b7a-2e5f6a7b8c9d\",\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\","
            "\"service_name\":\"sig-logs\",\"timestamp\":\"2026-01-01T00:00:00.123Z\",\"level\":\"error\","
            "\"message\":\"payment gateway timeout\",\"attributes\":{\"region\":\"eu\"}}";
        TestHttpClient c(m_port);
        HttpReply r = c.post("/ingest/logs", body);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 1);
        r = c.post("/ingest/logs", body); // a retry of the same signal
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("duplicates")).toInt(), 1);
        const QJsonArray stored = items("/api/logs?service=sig-logs");
        QCOMPARE(stored.size(), 1);
        QCOMPARE(str(stored[0], "level"), QStringLiteral("ERROR"));
        QCOMPARE(str(stored[0], "signal_id"), QStringLiteral("3f1c2b9e-8d4a-4c1e-9b7a-2e5f6a7b8c9d"));
        QCOMPARE(stored[0].toObject().value(QStringLiteral("attributes")).toObject().value(QStringLiteral("region")).toString(),
                 QStringLiteral("eu"));
        r = c.post("/ingest/logs", "{\"service_name\":\"sig-logs\",\"message\":\"x\",\"timestamp\":\"soon\"}");
        QCOMPARE(r.status, 422);
        QCOMPARE(field(r), QStringLiteral("timestamp"));
    }

    void signalTracesTreeAndKpis()
    {
        const QByteArray body =
            "[{\"signal_id\":\"span-1\",\"trace_id\":\"5bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
            "\"service_name\":\"sig-traces\",\"name\":\"POST /pay\",\"kind\":\"server\",\"start_time\":\"2026-01-01T00:00:00Z\","
            "\"end_time\":\"2026-01-01T00:00:00.412Z\",\"status\":\"error\",\"status_code\":502},"
            "{\"signal_id\":\"span-2\",\"trace_id\":\"5bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b8\","
            "\"parent_span_id\":\"00f067aa0ba902b7\",\"service_name\":\"sig-traces\",\"name\":\"SELECT orders\","
            "\"start_time\":1767225600010,\"end_time\":1767225600110,\"attributes\":{\"db.system\":\"postgresql\"}}]";
        TestHttpClient c(m_port);
        HttpReply r = c.post("/ingest/traces", body);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 2);
        QCOMPARE(c.post("/ingest/traces", body).json().value(QStringLiteral("duplicates")).toInt(), 2);
        r = c.get("/api/traces/5bf92f3577b34da6a3ce929d0e0e4736");
        QCOMPARE(r.status, 200);
        const QJsonArray roots = r.json().value(QStringLiteral("spans")).toArray();
        QCOMPARE(roots.size(), 1);
        QCOMPARE(str(roots[0], "message"), QStringLiteral("POST /pay"));
        QCOMPARE(str(roots[0], "level"), QStringLiteral("ERROR"));
        QCOMPARE(roots[0].toObject().value(QStringLiteral("latency_ms")).toDouble(), 412.0);
        QCOMPARE(roots[0].toObject().value(QStringLiteral("status_code")).toInt(), 502);
        const QJsonArray kids = roots[0].toObject().value(QStringLiteral("children")).toArray();
        QCOMPARE(kids.size(), 1);
        QCOMPARE(str(kids[0], "message"), QStringLiteral("SELECT orders"));
        // Bad spans are named and nothing of an all-bad request is stored.
        r = c.post("/ingest/traces", "{\"trace_id\":\"6bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"abc\","
                                     "\"service_name\":\"sig-bad\",\"start_time\":1,\"end_time\":2}");
        QCOMPARE(r.status, 422);
        QCOMPARE(field(r), QStringLiteral("span_id"));
        r = c.post("/ingest/traces", "{\"trace_id\":\"6bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
                                     "\"service_name\":\"sig-bad\",\"start_time\":\"2026-01-01T00:00:01Z\",\"end_time\":\"2026-01-01T00:00:00Z\"}");
        QCOMPARE(r.status, 422);
        QCOMPARE(field(r), QStringLiteral("end_time"));
        QCOMPARE(items("/api/logs?service=sig-bad").size(), 0);
    }

    void signalMetricsIdempotent()
    {
        const QByteArray body = "{\"signal_id\":\"m-1\",\"service_name\":\"sig-metrics\",\"timestamp\":\"2026-01-01T00:00:00Z\","
                                "\"name\":\"queue.depth\",\"value\":42,\"attributes\":{\"queue\":\"orders\"}}";
        TestHttpClient c(m_port);
        HttpReply r = c.post("/ingest/metrics", body);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 1);
        QCOMPARE(c.post("/ingest/metrics", body).json().value(QStringLiteral("duplicates")).toInt(), 1);
        const QJsonArray points = items("/api/metrics?service=sig-metrics&name=queue.depth&from=2025-12-31T00:00:00Z&to=2026-01-02T00:00:00Z");
        QCOMPARE(points.size(), 1);
        QCOMPARE(points[0].toObject().value(QStringLiteral("value")).toDouble(), 42.0);
        QVERIFY2(QJsonDocument(points[0].toObject()).toJson(QJsonDocument::Compact).contains("orders"),
                 QJsonDocument(points[0].toObject()).toJson());
        r = c.post("/ingest/metrics", "{\"name\":\"queue.depth\",\"value\":1}");
        QCOMPARE(r.status, 422);
        QCOMPARE(field(r), QStringLiteral("service"));
    }

    void logStreamsAndRealtime()
    {
        TestHttpClient c(m_port);
        HttpReply r = c.post("/api/logs/stream/stream-svc",
                             "{\"service_name\":\"stream-svc\",\"logs\":[{\"level\":\"error\",\"message\":\"db down\"},"
                             "{\"message\":\"GET /cart 200 12ms\"},{\"message\":\"x\",\"ts\":\"never\"}]}");
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 2);
        QCOMPARE(field(r), QStringLiteral("ts"));
        QCOMPARE(r.json().value(QStringLiteral("errors")).toArray()[0].toObject().value(QStringLiteral("index")).toInt(), 2);
        r = c.post("/api/logs/stream/stream-svc/single", "{\"level\":\"warn\",\"message\":\"slow\"}");
        QCOMPARE(r.status, 202);
        QCOMPARE(items("/api/logs?service=stream-svc").size(), 3);
        r = c.post("/api/logs/stream/stream-svc", "{\"logs\":{}}");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("body"));
        QCOMPARE(c.get("/api/logs/stream/stream-svc").status, 405);
        bool listed = false;
        for (const QJsonValue &s : items("/api/logs/services"))
            listed = listed || str(s, "name") == QStringLiteral("stream-svc");
        QVERIFY(listed);
        // The last minute over all services, from memory (analysis has seen the events by now or soon).
        QTRY_VERIFY_WITH_TIMEOUT(c.get("/metrics/realtime").json().value(QStringLiteral("data")).toObject()
                                         .value(QStringLiteral("events_per_second")).toDouble() > 0, 10000);
        const QJsonObject data = c.get("/metrics/realtime").json().value(QStringLiteral("data")).toObject();
        QVERIFY(data.contains(QStringLiteral("error_rate")));
        QVERIFY(data.contains(QStringLiteral("avg_response_time_ms")));
    }

    void historicalMetricsBuckets()
    {
        // KPI minutes are written when analysis closes them: once event time is 2 minutes past their end.
        TestHttpClient c(m_port);
        const QDateTime base = QDateTime::currentDateTimeUtc().addSecs(-3 * 3600);
        QByteArray body;
        for (int i = 0; i < 60; ++i)
            body += "{\"service\":\"hist-svc\",\"ts\":\"" + base.addSecs(i * 60).toString(Qt::ISODate).toUtf8()
                    + "\",\"message\":\"GET /a 200\",\"latency_ms\":" + QByteArray::number(100 + i) + ",\"status_code\":"
                    + (i % 10 == 0 ? "500" : "200") + "}\n";
        QCOMPARE(c.post("/api/ingest/logs", body, "application/x-ndjson").status, 202);
        const QByteArray target = "/metrics/historical?start=" + base.addSecs(-3600).toString(Qt::ISODate).toUtf8()
                                  + "&end=" + base.addSecs(2 * 3600).toString(Qt::ISODate).toUtf8() + "&interval=1h";
        auto events = [&] {
            qint64 n = 0;
            for (const QJsonValue &p : c.get(target).json().value(QStringLiteral("data")).toObject().value(QStringLiteral("points")).toArray())
                n += p.toObject().value(QStringLiteral("events")).toInteger();
            return n;
        };
        QTRY_VERIFY_WITH_TIMEOUT(events() >= 55, 20000);
        const QJsonArray points = c.get(target).json().value(QStringLiteral("data")).toObject().value(QStringLiteral("points")).toArray();
        QVERIFY(points.size() >= 1 && points.size() <= 2); // 60 minutes fall into one or two hourly buckets
        QVERIFY(points[0].toObject().value(QStringLiteral("avg_response_time_ms")).toDouble() >= 100);
        HttpReply r = c.get("/metrics/historical?interval=7s");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("interval"));
        r = c.get("/metrics/historical?start=yesterday");
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("start"));
    }
};

QTEST_MAIN(TstDialects)
#include "tst_dialects.moc"
