// Demo mode: the window's Demo actions play demo traffic into a real engine over HTTP, the data is tagged,
// alerts come within minutes of simulated time, and Clear demo data leaves real data as it was.

#include <QAction>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMenu>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "democontroller.h"
#include "demotraffic.h"
#include "engine/engine.h"
#include "mainwindow.h"
#include "testhttpclient.h"

using namespace fg;

namespace {

constexpr qint64 kMinute = 60 * 1000;

QJsonArray items(TestHttpClient &client, const QByteArray &target)
{
    const HttpReply r = client.get(target);
    return r.status == 200 ? r.json().value(QStringLiteral("items")).toArray() : QJsonArray();
}

// Names of the services the API lists.
QStringList serviceNames(TestHttpClient &client)
{
    QStringList out;
    for (const QJsonValue &v : items(client, "/api/services"))
        out << v.toObject().value(QStringLiteral("name")).toString();
    return out;
}

int demoAlerts(TestHttpClient &client)
{
    int n = 0;
    for (const QJsonValue &v : items(client, "/api/alerts?range=7d&limit=1000"))
        n += v.toObject().value(QStringLiteral("service")).toString().startsWith(QLatin1String("demo-")) ? 1 : 0;
    return n;
}

QJsonArray realAlerts(TestHttpClient &client)
{
    QJsonArray out;
    for (const QJsonValue &v : items(client, "/api/alerts?range=7d&limit=1000"))
        if (!v.toObject().value(QStringLiteral("service")).toString().startsWith(QLatin1String("demo-"))) {
            QJsonObject a = v.toObject();
            a.remove(QStringLiteral("duration_s")); // counted to now
            out.append(a);
        }
    return out;
}

} // namespace

class TstDemo : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void demoMenuStartsStopsAlertsAndClearsOnlyDemoData()
    {
        QTemporaryDir dir;
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = dir.filePath(QStringLiteral("demo.db"));
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        TestHttpClient client(engine.port());
        auto api = [&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                             std::function<void(const HttpResponse &)> done) {
            engine.callApi(method, target, body, context, std::move(done));
        };

        // Real data first: a service of the user's with ten minutes of traffic ten minutes ago.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QByteArray real = "[";
        for (int i = 0; i < 100; ++i) {
            const QString ts = QDateTime::fromMSecsSinceEpoch(now - 20 * kMinute + i * 6000, Qt::UTC).toString(Qt::ISODateWithMs);
            real += (i ? "," : "") + QStringLiteral("{\"service\":\"shop\",\"ts\":\"%1\",\"message\":\"GET /cart 200\","
                                                    "\"latency_ms\":40,\"status_code\":200,\"endpoint\":\"/cart\"}")
                                         .arg(ts)
                                         .toUtf8();
        }
        real += "]";
        QCOMPARE(client.post("/api/ingest/logs", real).status, 202);

        MainWindow w;
        w.setApi(api);
        DemoController demo;
        // Simulated time: 20 quiet minutes, then 30 with an incident every 4, ending now, as fast as the
        // listener takes them.
        inject::DemoTraffic::Options options;
        options.startMs = now - 50 * kMinute;
        options.backfillMs = 20 * kMinute;
        options.liveMs = 30 * kMinute;
        options.accelerated = true;
        demo.setTrafficOptions(options);
        demo.setTarget(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(engine.port())), api);
        w.setDemo(&demo);

        // The actions sit in the window's Demo menu.
        QMenu *menu = nullptr;
        for (QAction *a : w.menuBar()->actions())
            if (a->menu() && a->menu()->actions().contains(demo.toggleAction()))
                menu = a->menu();
        QVERIFY(menu);
        QVERIFY(menu->actions().contains(demo.clearAction()));
        QCOMPARE(demo.toggleAction()->text(), QStringLiteral("Start &demo traffic"));

        QSignalSpy running(&demo, &DemoController::runningChanged);
        demo.toggleAction()->trigger();
        QVERIFY(demo.running());
        QCOMPARE(demo.toggleAction()->text(), QStringLiteral("Stop &demo traffic"));

        // Tagged demo data arrives over HTTP: demo- services, attributes.demo=true.
        QTRY_VERIFY_WITH_TIMEOUT(serviceNames(client).filter(QStringLiteral("demo-")).size() == 5, 30000);
        const QJsonArray logs = items(client, "/api/logs?service=demo-checkout&range=2h&limit=5");
        QVERIFY(!logs.isEmpty());
        for (const QJsonValue &v : logs)
            QCOMPARE(v.toObject().value(QStringLiteral("attributes")).toObject().value(QStringLiteral("demo")), QJsonValue(true));

        // The accelerated half hour ends by itself; its step outage and error burst raise alerts.
        QTRY_VERIFY_WITH_TIMEOUT(!demo.running(), 120000);
        const inject::DemoTraffic::Totals totals = demo.traffic()->totals();
        QVERIFY2(totals.events > 2000 && totals.accepted == totals.events,
                 qPrintable(QStringLiteral("%1 of %2 accepted: %3").arg(totals.accepted).arg(totals.events).arg(totals.lastError)));
        QTRY_VERIFY_WITH_TIMEOUT(demoAlerts(client) > 0, 60000);
        QCOMPARE(running.count(), 2); // started, ended

        // Start and stop in real time from the action: stops promptly, mid-run.
        inject::DemoTraffic::Options live;
        live.backfillMs = 5 * kMinute;
        demo.setTrafficOptions(live);
        demo.toggleAction()->trigger();
        QVERIFY(demo.running());
        QTRY_VERIFY_WITH_TIMEOUT(demo.traffic()->totals().simulatedUpTo > 0 || !items(client, "/api/logs?service=demo-auth&range=3m&limit=1").isEmpty(), 30000);
        demo.toggleAction()->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!demo.running(), 5000);
        QCOMPARE(demo.toggleAction()->text(), QStringLiteral("Start &demo traffic"));

        // Clear demo data: the demo services go from storage and analysis; the user's stay as they were.
        const int realLogs = items(client, "/api/logs?service=shop&range=1h&limit=1000").size();
        QCOMPARE(realLogs, 100);
        QTRY_VERIFY_WITH_TIMEOUT(!items(client, "/api/kpis?service=shop&range=1h").isEmpty(), 30000);
        const QJsonArray realKpis = items(client, "/api/kpis?service=shop&range=1h");
        // The user's service went quiet in event time while the demo kept sending: its alert is real and stays.
        QTRY_VERIFY_WITH_TIMEOUT(!realAlerts(client).isEmpty(), 30000);
        const QJsonArray realAlertsBefore = realAlerts(client);
        // Metrics and idempotency keys of both kinds too.
        const QByteArray metrics = "[{\"service\":\"shop\",\"name\":\"queue.depth\",\"value\":3,\"signal_id\":\"m-real\"},"
                                   "{\"service\":\"demo-checkout\",\"name\":\"queue.depth\",\"value\":9,\"signal_id\":\"m-demo\"}]";
        QCOMPARE(client.post("/api/ingest/metrics", metrics).status, 202);
        const QByteArray keyed = "[{\"service\":\"shop\",\"message\":\"keyed\",\"signal_id\":\"l-real\"},"
                                 "{\"service\":\"demo-auth\",\"message\":\"keyed\",\"signal_id\":\"l-demo\"}]";
        QCOMPARE(client.post("/api/ingest/logs", keyed).status, 202);
        QSignalSpy cleared(&demo, &DemoController::cleared);
        demo.clearAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(cleared.count(), 1, 30000);
        QVERIFY2(cleared.at(0).at(0).toBool(), qPrintable(cleared.at(0).at(1).toString()));
        QCOMPARE(serviceNames(client), QStringList{QStringLiteral("shop")});
        QCOMPARE(demoAlerts(client), 0);
        for (const QJsonValue &v : items(client, "/api/incidents?range=7d"))
            QVERIFY(!v.toObject().value(QStringLiteral("service")).toString().startsWith(QLatin1String("demo-")));
        QCOMPARE(realAlerts(client), realAlertsBefore);
        QCOMPARE(items(client, "/api/logs?range=7d&limit=1000").size(), 101);
        QCOMPARE(items(client, "/api/metrics?service=shop&name=queue.depth&range=1h").size(), 1);
        const QJsonArray kpisAfter = items(client, "/api/kpis?service=shop&range=1h");
        for (const QJsonValue &minute : realKpis) // the keyed event may have opened a minute of its own
            QVERIFY2(kpisAfter.contains(minute), QJsonDocument(minute.toObject()).toJson().constData());
        for (const QJsonValue &v : items(client, "/api/anomalies?range=7d"))
            QVERIFY(!v.toObject().value(QStringLiteral("service")).toString().startsWith(QLatin1String("demo-")));
        // Analysis forgot them too: no live windows, and no "silent service" alerts later for services that are gone.
        for (const QJsonValue &v : items(client, "/api/kpis/live"))
            QVERIFY(!v.toObject().value(QStringLiteral("service")).toString().startsWith(QLatin1String("demo-")));

        // The same over HTTP: nothing left to clear.
        const HttpReply again = client.request("DELETE", "/api/demo");
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json().value(QStringLiteral("services")).toInteger(), 0);
        // The user's keys still guard against resending; the demo's went with their rows.
        const QJsonObject resent = client.post("/api/ingest/logs", keyed).json();
        QCOMPARE(resent.value(QStringLiteral("accepted")).toInt(), 2); // duplicates are acknowledged too
        QCOMPARE(resent.value(QStringLiteral("duplicates")).toInt(), 1);
        const QJsonObject resentMetrics = client.post("/api/ingest/metrics", metrics).json();
        QCOMPARE(resentMetrics.value(QStringLiteral("duplicates")).toInt(), 1);
        engine.stop();
    }
};

QTEST_MAIN(TstDemo)
#include "tst_demo.moc"
