#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <map>

#include "engine/engine.h"
#include "testhttpclient.h"

using namespace fg;

// The events API (POST /events, /events/batch, GET /events/{id}, /events, /events/aggregations) and service
// registration over real HTTP into a real engine with a SQLite file, read back through the events API and
// /api/logs.
class TstEvents : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;

    static std::unique_ptr<Engine> startEngine(const QString &db, int maxServices, quint16 &port)
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = db;
        c.retentionSeconds = 0;
        c.maxServices = maxServices;
        auto engine = std::make_unique<Engine>(c);
        QString err;
        if (!engine->start(&err))
            qFatal("engine did not start: %s", qPrintable(err));
        port = engine->port();
        return engine;
    }
    QJsonObject data(const HttpReply &r) { return r.json().value(QStringLiteral("data")).toObject(); }
    static QString errorField(const HttpReply &r)
    {
        return r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString();
    }
    QJsonArray logsOf(const QByteArray &service)
    {
        TestHttpClient c(m_port);
        return c.get("/api/logs?service=" + service).json().value(QStringLiteral("items")).toArray();
    }
    std::map<QString, int> buckets(const QByteArray &groupBy, const QByteArray &range)
    {
        TestHttpClient c(m_port);
        const HttpReply r = c.get("/events/aggregations?metric=count&group_by=" + groupBy + "&" + range);
        std::map<QString, int> out;
        if (r.status != 200)
            return out;
        for (const QJsonValue &b : data(r).value(QStringLiteral("buckets")).toArray())
            out[b.toObject().value(QStringLiteral("key")).toString()] = b.toObject().value(QStringLiteral("count")).toInt();
        return out;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_engine = startEngine(m_dir.filePath(QStringLiteral("events.db")), 10'000, m_port);
    }
    void cleanupTestCase() { m_engine.reset(); }

    // One event with every field comes back exactly as sent, shows as a log record with the mapped level,
    // and a re-send of its id stores nothing new.
    void singleEventRoundTrip()
    {
        const QByteArray body =
            "{\"event_id\":\"7d0f6a7e-5c1b-4d0e-9a52-3b8f1c2d4e6f\",\"type\":\"payment.failed\",\"source\":\"checkout-events\","
            "\"severity\":\"high\",\"timestamp\":\"2026-01-05T09:30:00.250Z\","
            "\"data\":{\"order_id\":\"A-1001\",\"amount\":42.5,\"currency\":\"EUR\",\"retry\":false,\"items\":[1,2]},"
            "\"correlation_id\":\"corr-88\",\"session_id\":\"sess-12\",\"user_id\":\"user-7\","
            "\"tags\":[\"payments\",\"eu-west\"],\"region\":\"eu\"}";
        TestHttpClient c(m_port);
        HttpReply r = c.post("/events", body);
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json().value(QStringLiteral("success")).toBool(), true);
        QCOMPARE(data(r).value(QStringLiteral("event_id")).toString(), QStringLiteral("7d0f6a7e-5c1b-4d0e-9a52-3b8f1c2d4e6f"));

        r = c.get("/events/7d0f6a7e-5c1b-4d0e-9a52-3b8f1c2d4e6f");
        QCOMPARE(r.status, 200);
        const QJsonObject sent = QJsonDocument::fromJson(body).object();
        const QJsonObject back = data(r);
        for (const char *key : {"event_id", "type", "source", "severity", "data", "correlation_id", "session_id", "user_id",
                                "tags", "region"})
            QVERIFY2(back.value(QLatin1String(key)) == sent.value(QLatin1String(key)), key);
        QCOMPARE(back.value(QStringLiteral("timestamp")).toString(), QStringLiteral("2026-01-05T09:30:00.250Z"));

        QJsonArray logs = logsOf("checkout-events");
        QCOMPARE(logs.size(), 1);
        const QJsonObject log = logs[0].toObject();
        QCOMPARE(log.value(QStringLiteral("level")).toString(), QStringLiteral("ERROR"));
        QCOMPARE(log.value(QStringLiteral("level_raw")).toString(), QStringLiteral("high"));
        QVERIFY(log.value(QStringLiteral("message")).toString().startsWith(QStringLiteral("payment.failed {")));
        QVERIFY(log.value(QStringLiteral("tags")).toArray().contains(QStringLiteral("payments")));
        QVERIFY(log.value(QStringLiteral("tags")).toArray().contains(QStringLiteral("event")));
        QCOMPARE(log.value(QStringLiteral("attributes")).toObject().value(QStringLiteral("event")).toObject()
                     .value(QStringLiteral("user_id")).toString(),
                 QStringLiteral("user-7"));

        r = c.post("/events", body); // the client retries
        QCOMPARE(r.status, 201);
        QCOMPARE(data(r).value(QStringLiteral("duplicate")).toBool(), true);
        QCOMPARE(logsOf("checkout-events").size(), 1);

        // Without an id the event gets one; severity defaults to low (INFO).
        r = c.post("/events", "{\"type\":\"cart.viewed\",\"source\":\"checkout-events\",\"data\":{}}");
        QCOMPARE(r.status, 201);
        const QString id = data(r).value(QStringLiteral("event_id")).toString();
        QCOMPARE(id.size(), 36);
        r = c.get("/events/" + id.toLatin1());
        QCOMPARE(r.status, 200);
        QCOMPARE(data(r).value(QStringLiteral("severity")).toString(), QStringLiteral("low"));
        QCOMPARE(data(r).value(QStringLiteral("level")).toString(), QStringLiteral("INFO"));
        QCOMPARE(c.get("/events/no-such-event").status, 404);
        // A log that is no event is not one through the events API.
        QCOMPARE(c.post("/ingest/logs", "{\"signal_id\":\"plain-log-1\",\"service_name\":\"checkout-events\",\"message\":\"x\"}").status, 202);
        QCOMPARE(c.get("/events/plain-log-1").status, 404);
    }

    // A batch lists back newest first with correct paging, filters by type and range, and aggregates by
    // type, source and severity; re-sending it duplicates nothing.
    void batchListsAndAggregates()
    {
        struct E {
            const char *type, *source, *severity;
            int minute;
        };
        const E events[] = {{"page_view", "web-front", "low", 1},    {"page_view", "web-front", "low", 2},
                            {"signup", "web-front", "medium", 3},    {"page_view", "mobile-app", "low", 4},
                            {"payment.failed", "billing", "high", 5}, {"outage", "billing", "critical", 6},
                            {"page_view", "mobile-app", "medium", 7}};
        QByteArray body = "{\"events\":[";
        for (const E &e : events)
            body += QByteArray(body.endsWith('[') ? "" : ",") + "{\"event_id\":\"batch-" + QByteArray::number(e.minute)
                    + "\",\"type\":\"" + e.type + "\",\"source\":\"" + e.source + "\",\"severity\":\"" + e.severity
                    + "\",\"timestamp\":\"2026-02-01T10:0" + QByteArray::number(e.minute) + ":00Z\",\"data\":{\"n\":"
                    + QByteArray::number(e.minute) + "},\"session_id\":\"s-1\",\"tags\":[\"batch\"]}";
        body += "]}";
        TestHttpClient c(m_port);
        HttpReply r = c.post("/events/batch", body);
        QCOMPARE(r.status, 201);
        QCOMPARE(data(r).value(QStringLiteral("count")).toInt(), 7);
        QCOMPARE(data(r).value(QStringLiteral("event_ids")).toArray().size(), 7);
        QCOMPARE(data(r).value(QStringLiteral("event_ids")).toArray()[4].toString(), QStringLiteral("batch-5"));

        const QByteArray range = "start=2026-02-01T10:00:00Z&end=2026-02-01T11:00:00Z";
        r = c.get("/events?" + range + "&limit=3");
        QCOMPARE(r.status, 200);
        QJsonObject page = data(r);
        QCOMPARE(page.value(QStringLiteral("total")).toInt(), 7);
        QCOMPARE(page.value(QStringLiteral("pages")).toInt(), 3);
        QCOMPARE(page.value(QStringLiteral("page")).toInt(), 1);
        QCOMPARE(page.value(QStringLiteral("page_size")).toInt(), 3);
        QCOMPARE(page.value(QStringLiteral("has_next")).toBool(), true);
        QCOMPARE(page.value(QStringLiteral("has_prev")).toBool(), false);
        QJsonArray list = page.value(QStringLiteral("events")).toArray();
        QCOMPARE(list.size(), 3);
        QCOMPARE(list[0].toObject().value(QStringLiteral("event_id")).toString(), QStringLiteral("batch-7")); // newest first
        QCOMPARE(list[0].toObject().value(QStringLiteral("data")).toObject().value(QStringLiteral("n")).toInt(), 7);
        page = data(c.get("/events?" + range + "&limit=3&page=3"));
        QCOMPARE(page.value(QStringLiteral("events")).toArray().size(), 1);
        QCOMPARE(page.value(QStringLiteral("events")).toArray()[0].toObject().value(QStringLiteral("event_id")).toString(),
                 QStringLiteral("batch-1"));
        QCOMPARE(page.value(QStringLiteral("has_next")).toBool(), false);
        QCOMPARE(page.value(QStringLiteral("has_prev")).toBool(), true);

        page = data(c.get("/events?" + range + "&type=page_view"));
        QCOMPARE(page.value(QStringLiteral("total")).toInt(), 4);
        for (const QJsonValue &e : page.value(QStringLiteral("events")).toArray())
            QCOMPARE(e.toObject().value(QStringLiteral("type")).toString(), QStringLiteral("page_view"));
        page = data(c.get("/events?start=2026-02-01T10:03:00Z&end=2026-02-01T10:05:00Z"));
        QCOMPARE(page.value(QStringLiteral("total")).toInt(), 3);
        QCOMPARE(page.value(QStringLiteral("pages")).toInt(), 1);

        const std::map<QString, int> byType{{QStringLiteral("page_view"), 4}, {QStringLiteral("signup"), 1}, {QStringLiteral("payment.failed"), 1}, {QStringLiteral("outage"), 1}};
        QVERIFY(buckets("type", range) == byType);
        const std::map<QString, int> bySource{{QStringLiteral("web-front"), 3}, {QStringLiteral("mobile-app"), 2}, {QStringLiteral("billing"), 2}};
        QVERIFY(buckets("source", range) == bySource);
        const std::map<QString, int> bySeverity{{QStringLiteral("low"), 3}, {QStringLiteral("medium"), 2}, {QStringLiteral("high"), 1}, {QStringLiteral("critical"), 1}};
        QVERIFY(buckets("severity", range) == bySeverity);
        r = c.get("/events/aggregations?metric=sum&group_by=type&" + range);
        QCOMPARE(r.status, 400);
        QCOMPARE(errorField(r), QStringLiteral("metric"));
        r = c.get("/events/aggregations?metric=count&group_by=colour&" + range);
        QCOMPARE(r.status, 400);
        QCOMPARE(errorField(r), QStringLiteral("group_by"));
        r = c.get("/events?limit=5000");
        QCOMPARE(r.status, 400);
        QCOMPARE(errorField(r), QStringLiteral("limit"));

        // The critical event is a FATAL log of billing; re-sending the batch duplicates nothing.
        bool fatal = false;
        for (const QJsonValue &l : logsOf("billing"))
            fatal |= l.toObject().value(QStringLiteral("level")).toString() == QLatin1String("FATAL");
        QVERIFY(fatal);
        r = c.post("/events/batch", body);
        QCOMPARE(r.status, 201);
        QCOMPARE(data(r).value(QStringLiteral("duplicates")).toInt(), 7);
        QCOMPARE(data(c.get("/events?" + range)).value(QStringLiteral("total")).toInt(), 7);
    }

    // A batch large enough to be written as a compressed chunk at once (not staged): read back by id from it.
    void eventsReadBackFromAChunk()
    {
        QByteArray body = "{\"events\":[";
        for (int i = 0; i < 200; ++i)
            body += QByteArray(i ? "," : "") + "{\"event_id\":\"chunked-" + QByteArray::number(i)
                    + "\",\"type\":\"job.done\",\"source\":\"bulk-events\",\"severity\":\"medium\","
                      "\"timestamp\":\"2026-03-01T00:00:0" + QByteArray::number(i % 10) + "Z\",\"data\":{\"i\":"
                    + QByteArray::number(i) + "},\"user_id\":\"u-" + QByteArray::number(i) + "\"}";
        body += "]}";
        TestHttpClient c(m_port);
        QCOMPARE(c.post("/events/batch", body).status, 201);
        for (int i : {0, 117, 199}) {
            const HttpReply r = c.get("/events/chunked-" + QByteArray::number(i));
            QCOMPARE(r.status, 200);
            QCOMPARE(data(r).value(QStringLiteral("data")).toObject().value(QStringLiteral("i")).toInt(), i);
            QCOMPARE(data(r).value(QStringLiteral("user_id")).toString(), QStringLiteral("u-%1").arg(i));
            QCOMPARE(data(r).value(QStringLiteral("severity")).toString(), QStringLiteral("medium"));
        }
        QCOMPARE(data(c.get("/events?start=2026-03-01T00:00:00Z&end=2026-03-01T00:01:00Z&limit=1000"))
                     .value(QStringLiteral("total")).toInt(), 200);
    }

    void badPayloadsAreRefusedNamingTheField_data()
    {
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("field");
        QTest::newRow("severity") << QByteArray("/events")
                                  << QByteArray("{\"type\":\"t\",\"source\":\"bad-events\",\"severity\":\"urgent\"}") << 400
                                  << QStringLiteral("severity");
        QTest::newRow("data not an object") << QByteArray("/events")
                                            << QByteArray("{\"type\":\"t\",\"source\":\"bad-events\",\"data\":\"x\"}")
                                            << 400 << QStringLiteral("data");
        QTest::newRow("tags not strings") << QByteArray("/events")
                                          << QByteArray("{\"type\":\"t\",\"source\":\"bad-events\",\"tags\":[\"a\",1]}")
                                          << 400 << QStringLiteral("tags");
        QTest::newRow("missing type") << QByteArray("/events") << QByteArray("{\"source\":\"bad-events\",\"data\":{}}") << 400
                                      << QStringLiteral("type");
        QTest::newRow("missing source") << QByteArray("/events") << QByteArray("{\"type\":\"t\"}") << 400 << QStringLiteral("source");
        QTest::newRow("not JSON") << QByteArray("/events") << QByteArray("{\"type\":") << 400 << QStringLiteral("body");
        QTest::newRow("batch with one bad event")
            << QByteArray("/events/batch")
            << QByteArray("{\"events\":[{\"event_id\":\"good-1\",\"type\":\"t\",\"source\":\"bad-events\"},"
                          "{\"type\":\"t\",\"source\":\"bad-events\",\"severity\":3}]}")
            << 400 << QStringLiteral("severity");
        QTest::newRow("batch not a list") << QByteArray("/events/batch") << QByteArray("{\"events\":{}}") << 400 << QStringLiteral("body");
        QByteArray large = "{\"events\":[";
        for (int i = 0; i <= 10'000; ++i)
            large += QByteArray(i ? "," : "") + "{\"type\":\"t\",\"source\":\"bad-events\"}";
        large += "]}";
        QTest::newRow("batch too large") << QByteArray("/events/batch") << large << 413 << QStringLiteral("events");
    }
    void badPayloadsAreRefusedNamingTheField()
    {
        QFETCH(QByteArray, path);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, field);
        TestHttpClient c(m_port);
        const HttpReply r = c.post(path, body);
        QCOMPARE(r.status, status);
        QCOMPARE(r.json().value(QStringLiteral("success")).toBool(true), false);
        QCOMPARE(errorField(r), field);
        QVERIFY2(r.json().value(QStringLiteral("message")).toString().contains(field), r.body.constData());
        QCOMPARE(logsOf("bad-events").size(), 0);
        QCOMPARE(c.get("/events/good-1").status, 404);
    }

    // A registered service is listed before its first event, once however often it registers.
    void registeredServiceIsListed()
    {
        TestHttpClient c(m_port);
        const QByteArray body = "{\"service_name\":\"ledger-api\",\"description\":\"General ledger\",\"team\":\"finance\","
                                "\"owner\":\"ana@example.com\",\"tags\":[\"tier-1\"]}";
        HttpReply r = c.post("/api/logs/services/register", body);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("success")).toBool(), true);
        QCOMPARE(c.post("/api/logs/services/register", body).status, 200);
        int listed = 0;
        for (const QJsonValue &s : c.get("/api/logs/services").json().value(QStringLiteral("items")).toArray()) {
            if (s.toObject().value(QStringLiteral("name")).toString() != QLatin1String("ledger-api"))
                continue;
            ++listed;
            QCOMPARE(s.toObject().value(QStringLiteral("log_count")).toInt(), 0);
            QCOMPARE(s.toObject().value(QStringLiteral("registration")).toObject().value(QStringLiteral("team")).toString(),
                     QStringLiteral("finance"));
        }
        QCOMPARE(listed, 1);
        // The services overview's list (health per service) has it too, without data yet.
        bool overview = false;
        for (const QJsonValue &s : c.get("/api/health/services").json().value(QStringLiteral("items")).toArray())
            overview |= s.toObject().value(QStringLiteral("service")).toString() == QLatin1String("ledger-api");
        QVERIFY(overview);
        r = c.post("/api/logs/services/register", "{\"description\":\"no name\"}");
        QCOMPARE(r.status, 400);
        QCOMPARE(errorField(r), QStringLiteral("service_name"));
        r = c.post("/api/logs/services/register", "{\"service_name\":\"x-api\",\"tags\":[7]}");
        QCOMPARE(r.status, 400);
        QCOMPARE(errorField(r), QStringLiteral("tags"));
    }

    // The service cap holds for registrations and event sources alike.
    void serviceCapHolds()
    {
        QTemporaryDir dir;
        quint16 port = 0;
        auto engine = startEngine(dir.filePath(QStringLiteral("capped.db")), 2, port);
        TestHttpClient c(port);
        QCOMPARE(c.post("/api/logs/services/register", "{\"service_name\":\"one\"}").status, 200);
        QCOMPARE(c.post("/events", "{\"type\":\"t\",\"source\":\"two\"}").status, 201);
        HttpReply r = c.post("/api/logs/services/register", "{\"service_name\":\"three\"}");
        QCOMPARE(r.status, 422);
        QCOMPARE(errorField(r), QStringLiteral("service_name"));
        r = c.post("/events", "{\"type\":\"t\",\"source\":\"four\"}");
        QCOMPARE(r.status, 400);
        QCOMPARE(errorField(r), QStringLiteral("source"));
        QCOMPARE(c.post("/api/logs/services/register", "{\"service_name\":\"one\",\"team\":\"again\"}").status, 200);
    }
};

QTEST_GUILESS_MAIN(TstEvents)
#include "tst_events.moc"
