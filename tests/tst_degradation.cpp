#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>


#include "engine/engine.h"
#include "testhttpclient.h"

using namespace fg;

// End to end over real HTTP: an hour of healthy traffic, then a gradual latency creep. The degradation
// must come out of /api/anomalies with an explanation whose numbers are the ones the API returns, while
// a steady service beside it stays quiet. Same default configuration as everywhere.
class TstDegradation : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void gradualLatencyCreepIsDetectedAndExplained()
    {
        QStandardPaths::setTestModeEnabled(true);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("degradation.db"));
        c.retentionSeconds = 0;
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        TestHttpClient client(engine.port());
        const QList<QByteArray> creeping = latencyCreepTraffic("checkout", true, 7), steady = latencyCreepTraffic("ledger", false, 8);
        for (qsizetype i = 0; i < creeping.size(); ++i) {
            QCOMPARE(client.post("/api/ingest/logs", creeping[i], "application/x-ndjson").status, 202);
            QCOMPARE(client.post("/api/ingest/logs", steady[i], "application/x-ndjson").status, 202);
        }

        // Analysis runs behind ingest on its own thread: wait until both services' minutes are in.
        auto minutes = [&](const char *service) {
            return client.get(QByteArray("/api/kpis?service=") + service + "&from=2024-01-01T10:00:00Z&to=2024-01-01T12:00:00Z")
                .json()
                .value(QStringLiteral("items"))
                .toArray();
        };
        for (int attempt = 0; attempt < 100 && (minutes("checkout").size() < 110 || minutes("ledger").size() < 110); ++attempt)
            QThread::msleep(100);
        const QJsonArray items = client.get("/api/anomalies?service=checkout").json().value(QStringLiteral("items")).toArray();
        // One for the service and one for its route, both from the same creep.
        QCOMPARE(items.size(), 2);
        QJsonObject a, route;
        for (const QJsonValue &v : items)
            (v.toObject().value(QStringLiteral("endpoint")).isNull() ? a : route) = v.toObject();
        QCOMPARE(route.value(QStringLiteral("endpoint")).toString(), QStringLiteral("/pay/{id}"));
        QVERIFY(route.value(QStringLiteral("explanation")).toString().startsWith(QStringLiteral("checkout /pay/{id}: ")));
        QCOMPARE(a.value(QStringLiteral("kind")).toString(), QStringLiteral("degradation"));
        QCOMPARE(a.value(QStringLiteral("service")).toString(), QStringLiteral("checkout"));
        // Raised on event time: after the creep began at 11:00, well before the data ended at 12:00.
        const QString started = a.value(QStringLiteral("started_at")).toString();
        QVERIFY2(started >= QStringLiteral("2024-01-01T11:00:00.000Z") && started < QStringLiteral("2024-01-01T11:40:00.000Z"),
                 qPrintable(started));
        const QString explanation = a.value(QStringLiteral("explanation")).toString();
        QVERIFY2(explanation.contains(QStringLiteral("latency")) && explanation.contains(QStringLiteral("vs baseline")),
                 qPrintable(explanation));
        const QJsonArray signalList = a.value(QStringLiteral("signals")).toArray();
        QVERIFY(!signalList.isEmpty());
        for (const QJsonValue &v : signalList) {
            const QJsonObject s = v.toObject();
            if (!s.value(QStringLiteral("name")).toString().contains(QStringLiteral("latency")))
                continue;
            QVERIFY(s.value(QStringLiteral("current")).toDouble() > s.value(QStringLiteral("baseline")).toDouble());
            // The text quotes exactly the numbers the API returns.
            const QString current = QString::number(s.value(QStringLiteral("current")).toDouble()) + QStringLiteral(" ms");
            QVERIFY2(explanation.contains(current), qPrintable(explanation + QStringLiteral(" / ") + current));
        }
        QVERIFY(!a.value(QStringLiteral("recommendation")).toString().isEmpty());

        // Health: the degraded service loses points for its open degradation, the steady one does not.
        const QJsonObject checkout = client.get("/api/health/services/checkout").json();
        QCOMPARE(checkout.value(QStringLiteral("open_anomalies")).toInt(), 2);
        QVERIFY(checkout.value(QStringLiteral("score")).toDouble() < 80);
        QVERIFY(checkout.value(QStringLiteral("penalties")).toObject().value(QStringLiteral("anomalies")).toDouble() > 10);
        QCOMPARE(checkout.value(QStringLiteral("anomalies")).toArray().size(), 2);
        QVERIFY(!checkout.value(QStringLiteral("endpoints")).toArray().isEmpty());
        bool ledgerHealthy = false;
        for (const QJsonValue &v : client.get("/api/health/services").json().value(QStringLiteral("items")).toArray())
            if (v.toObject().value(QStringLiteral("service")).toString() == QLatin1String("ledger"))
                ledgerHealthy = v.toObject().value(QStringLiteral("status")).toString() == QLatin1String("healthy");
        QVERIFY(ledgerHealthy);
        QCOMPARE(client.get("/api/health/services/nobody").status, 404);

        // The steady service beside it raised nothing.
        QCOMPARE(client.get("/api/anomalies?service=ledger").json().value(QStringLiteral("items")).toArray().size(), 0);
        // Its KPIs are there, minute by minute.
        const QJsonArray kpis = minutes("ledger");
        QVERIFY(kpis.size() >= 110);
        QCOMPARE(kpis[0].toObject().value(QStringLiteral("requests")).toInt(), 120);
    }
    void detectorsAreWarmAfterARestart()
    {
        // Two quiet hours, a restart, then a step outage: the detectors relearn the stored minutes at start
        // (no 30-minute warm-up again), so the step is a degradation within minutes.
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("warm.db"));
        c.retentionSeconds = 0;
        {
            Engine first(c);
            QString err;
            QVERIFY2(first.start(&err), qPrintable(err));
            TestHttpClient client(first.port());
            for (const QByteArray &body : latencyCreepTraffic("pay", false, 3))
                QCOMPARE(client.post("/api/ingest/logs", body, "application/x-ndjson").status, 202);
            auto stored = [&] {
                return client.get("/api/kpis?service=pay&from=2024-01-01T10:00:00Z&to=2024-01-01T12:00:00Z")
                    .json().value(QStringLiteral("items")).toArray().size();
            };
            for (int attempt = 0; attempt < 100 && stored() < 110; ++attempt)
                QThread::msleep(100);
            QVERIFY(stored() >= 110);
        }
        Engine second(c);
        QString err;
        QVERIFY2(second.start(&err), qPrintable(err));
        TestHttpClient client(second.port());
        auto analysis = [&] { return client.get("/api/health").json().value(QStringLiteral("analysis")).toObject(); };
        QTRY_VERIFY_WITH_TIMEOUT(!analysis().value(QStringLiteral("warming")).toBool()
                                     && analysis().value(QStringLiteral("warmed_detectors")).toInt() >= 2, 30000);
        // 12:00–12:08: every request five times slower and a fifth of them failing; then one event at 12:12
        // so that the minutes close.
        QByteArray step;
        for (int m = 0; m < 8; ++m)
            for (int i = 0; i < 120; ++i) {
                const qint64 ms = 1704110400000LL + qint64(m) * 60000 + i * 500;
                const bool error = i % 5 == 0;
                step += "{\"service\":\"pay\",\"ts\":" + QByteArray::number(ms) + ",\"level\":\"" + (error ? "ERROR" : "INFO")
                        + "\",\"endpoint\":\"/pay/" + QByteArray::number(i) + "\",\"status_code\":" + (error ? "502" : "200")
                        + ",\"latency_ms\":1000,\"message\":\"payment\"}\n";
            }
        step += "{\"service\":\"pay\",\"ts\":1704111120000,\"message\":\"later\"}\n";
        QCOMPARE(client.post("/api/ingest/logs", step, "application/x-ndjson").status, 202);
        QJsonObject degradation;
        for (int attempt = 0; attempt < 100 && degradation.isEmpty(); ++attempt) {
            for (const QJsonValue &v : client.get("/api/anomalies?service=pay").json().value(QStringLiteral("items")).toArray())
                if (v.toObject().value(QStringLiteral("endpoint")).isNull())
                    degradation = v.toObject();
            if (degradation.isEmpty())
                QThread::msleep(100);
        }
        QVERIFY2(!degradation.isEmpty(), "no degradation after the restart: the detector started cold");
        const QString started = degradation.value(QStringLiteral("started_at")).toString();
        QVERIFY2(started >= QStringLiteral("2024-01-01T12:00") && started < QStringLiteral("2024-01-01T12:05"), qPrintable(started));
    }

    void errorPatternsAreMinedAndSurviveRestarts()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("patterns.db"));
        c.retentionSeconds = 0;
        auto ingest = [&](Engine &engine, int from, int count) {
            TestHttpClient client(engine.port());
            QByteArray body;
            for (int i = from; i < from + count; ++i)
                body += "{\"service\":\"pay\",\"ts\":\"2024-01-01T12:00:" + QByteArray::number(i % 60).rightJustified(2, '0')
                        + "Z\",\"level\":\"error\",\"message\":\"upstream bank-" + QByteArray::number(i % 4)
                        + " timed out after " + QByteArray::number(1000 + i) + " ms\"}\n"
                        + "{\"service\":\"pay\",\"ts\":\"2024-01-01T12:00:30Z\",\"level\":\"info\",\"message\":\"paid order "
                        + QByteArray::number(i) + "\"}\n";
            QCOMPARE(client.post("/api/ingest/logs", body, "application/x-ndjson").status, 202);
        };
        auto patterns = [&](Engine &engine, int expectedTotal) {
            TestHttpClient client(engine.port());
            QJsonArray items;
            // Template counts are written by the analysis thread within a second.
            for (int attempt = 0; attempt < 50; ++attempt) {
                items = client.get("/api/analytics/errors/patterns?service=pay&from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z")
                            .json()
                            .value(QStringLiteral("items"))
                            .toArray();
                if (!items.isEmpty() && items[0].toObject().value(QStringLiteral("total")).toInt() >= expectedTotal)
                    break;
                QThread::msleep(100);
            }
            return items;
        };
        QString templateId;
        {
            Engine engine(c);
            QString err;
            QVERIFY2(engine.start(&err), qPrintable(err));
            ingest(engine, 0, 10);
            QJsonArray items = patterns(engine, 10);
            QCOMPARE(items.size(), 1); // the info lines are not error patterns
            const QJsonObject t = items[0].toObject();
            QCOMPARE(t.value(QStringLiteral("template")).toString(), QStringLiteral("upstream <*> timed out after <*> ms"));
            QCOMPARE(t.value(QStringLiteral("count")).toInt(), 10);
            QCOMPARE(t.value(QStringLiteral("level")).toString(), QStringLiteral("ERROR"));
            QVERIFY(t.value(QStringLiteral("sample")).toString().startsWith(QStringLiteral("upstream bank-0 timed out")));
            templateId = t.value(QStringLiteral("template_id")).toString();
            engine.stop();
        }
        Engine again(c);
        QString err;
        QVERIFY2(again.start(&err), qPrintable(err));
        ingest(again, 10, 10);
        const QJsonArray items = patterns(again, 20);
        QCOMPARE(items.size(), 1);
        QCOMPARE(items[0].toObject().value(QStringLiteral("template_id")).toString(), templateId); // same template
        QCOMPARE(items[0].toObject().value(QStringLiteral("total")).toInt(), 20);
        TestHttpClient client(again.port());
        QCOMPARE(client.get("/api/analytics/errors/patterns?service=pay&level=info&from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z")
                     .json()
                     .value(QStringLiteral("items"))
                     .toArray()
                     .size(),
                 2);
    }
};

QTEST_GUILESS_MAIN(TstDegradation)
#include "tst_degradation.moc"
