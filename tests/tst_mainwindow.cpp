#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "acknowledgedialog.h"
#include "alertfilterbar.h"
#include "alertsmodel.h"
#include "alertsview.h"
#include "channelsdialog.h"
#include "engine/engine.h"
#include "mainwindow.h"
#include "ingestrate.h"
#include "logsmodel.h"
#include "logsview.h"
#include "rulesview.h"
#include "servicesoverview.h"
#include "serviceview.h"
#include "testhttpclient.h"

using namespace fg;

// The window, offscreen: what the engine publishes, and the alerting views working against a real
// engine through the in-process API.
class TstMainWindow : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void closeWithoutTrayAsks();
    void ingestRateIsSmoothedOverTenSeconds()
    {
        // Regression: the status bar flipped between 0 and N items/s with clients sending every few seconds.
        IngestRate rate;
        QCOMPARE(rate.perSecond(), 0.0);
        qint64 accepted = 0;
        for (qint64 t = 0; t <= 20'000; t += 1000) {
            if (t % 3000 == 0)
                accepted += 300; // a batch every 3 s: 100 items/s
            rate.add(accepted, t);
            if (t >= 10'000)
                QVERIFY2(rate.perSecond() > 60 && rate.perSecond() < 140, qPrintable(QString::number(rate.perSecond())));
        }
        rate.add(5, 21'000); // the engine restarted
        QCOMPARE(rate.perSecond(), 0.0);
    }
    void closeToTrayKeepsServingAndLayoutIsRestored();
    void titleCountsFiringAlerts();
    void serviceViewOpensItsLogs();

    void showsEngineStats()
    {
        MainWindow w;
        EngineStats s;
        s.listenAddress = QStringLiteral("127.0.0.1:4318");
        s.logsStored = 1234;
        s.metricsStored = 56;
        s.requests = 7;
        s.itemsPerSecond = 250;
        s.itemsAccepted = 1000;
        w.showStats(s);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QStringList texts;
        for (const QLabel *l : w.findChildren<QLabel *>())
            texts << l->text();
        QVERIFY2(texts.contains(QStringLiteral("http://127.0.0.1:4318")), qPrintable(texts.join(QLatin1Char('|'))));
        const QString all = texts.join(QLatin1Char('|'));
        QVERIFY2(all.contains(QLocale().toString(qint64(1234)) + QStringLiteral(" logs")), qPrintable(all));
        QVERIFY(all.contains(QStringLiteral("56 metric points")));
        // The empty overview tells how to send the first event to this listener.
        QVERIFY2(all.contains(QStringLiteral("http://127.0.0.1:4318/api/ingest/logs")), qPrintable(all));
        QVERIFY(!w.grab().isNull());
    }

    void alertsRulesAndChannelsThroughTheApi()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("window.db"));
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        MainWindow w;
        // Regression: the Rules view kept saying "FlowGuard is not running" after the engine had started.
        w.rulesView()->reload();
        QVERIFY(w.rulesView()->message().contains(QStringLiteral("not running")));
        w.setApi([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                           std::function<void(const HttpResponse &)> done) {
            engine.callApi(method, target, body, context, std::move(done));
        });
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));

        // Rules: the built-ins load; a bad condition is refused with the API's message; a good one is added
        // and can be switched off.
        RulesView *rules = w.rulesView();
        QTRY_COMPARE(rules->rules().size(), 5);
        QVERIFY2(rules->message().isEmpty(), qPrintable(rules->message()));
        rules->addRule(QJsonObject{{QStringLiteral("name"), QStringLiteral("slow")}, {QStringLiteral("condition"), QStringLiteral("p95 > 1")}});
        QTRY_VERIFY2(rules->message().contains(QStringLiteral("column 1")), qPrintable(rules->message()));
        rules->addRule(QJsonObject{{QStringLiteral("name"), QStringLiteral("slow")}, {QStringLiteral("condition"), QStringLiteral("p95_latency_ms > 800")}});
        QTRY_COMPARE(rules->rules().size(), 6);
        const qint64 ruleId = rules->rules().last().toObject().value(QStringLiteral("id")).toInteger();
        rules->setEnabled(ruleId, false);
        QTRY_VERIFY(!rules->rules().last().toObject().value(QStringLiteral("enabled")).toBool());
        // Edit: the form takes the rule, saving replaces it.
        rules->editRule(5);
        rules->saveRule(ruleId, QJsonObject{{QStringLiteral("condition"), QStringLiteral("p99_latency_ms > 900")},
                                            {QStringLiteral("level"), QStringLiteral("critical")}});
        QTRY_COMPARE(rules->rules().last().toObject().value(QStringLiteral("condition")).toString(), QStringLiteral("p99_latency_ms > 900"));
        QCOMPARE(rules->rules().last().toObject().value(QStringLiteral("level")).toString(), QStringLiteral("critical"));
        rules->removeRule(1); // built-in
        QTRY_VERIFY2(rules->message().contains(QStringLiteral("not deleted")), qPrintable(rules->message()));
        rules->removeRule(ruleId);
        QTRY_COMPARE(rules->rules().size(), 5);

        // Alerts: a test alert shows in the history, is acknowledged, and exported.
        AlertsView *alerts = w.alertsView();
        alerts->filterBar()->setState(QString()); // all
        alerts->sendTestAlert();
        QTRY_COMPARE(alerts->model()->rowCount(), 1);
        const qint64 id = alerts->model()->alertAt(0).id;
        w.showAlert(id);
        QSignalSpy acked(alerts, &AlertsView::acknowledged);
        QTRY_VERIFY(alerts->model()->rowOf(id) >= 0);
        // The Acknowledge button works on the selection only, and its dialog names the alert.
        QPushButton *ackButton = nullptr;
        for (QPushButton *b : alerts->findChildren<QPushButton *>())
            if (b->text().startsWith(QStringLiteral("Acknowledge")))
                ackButton = b;
        QVERIFY(ackButton);
        QTRY_VERIFY(ackButton->isEnabled()); // showAlert selected it
        ackButton->click();
        auto *dialog = alerts->findChild<AcknowledgeDialog *>();
        QVERIFY(dialog);
        const QList<QLabel *> labels = dialog->findChildren<QLabel *>();
        QVERIFY(std::any_of(labels.begin(), labels.end(),
                            [&](const QLabel *l) { return l->text().contains(QStringLiteral("#%1").arg(id)); }));
        dialog->reject();
        QTRY_VERIFY([&] {
            alerts->acknowledgeSelected(QStringLiteral("tester"), QStringLiteral("seen"));
            return acked.wait(2000);
        }());
        QTRY_COMPARE(alerts->model()->alertAt(alerts->model()->rowOf(id)).acknowledgedBy,
                     QStringLiteral("tester"));
        // Updates keep the selection: a newer alert comes in on top, the selected one stays selected, no reset.
        QAbstractItemModelTester alertsTester(alerts->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(alerts->model(), &QAbstractItemModel::modelReset);
        auto *alertTable = alerts->findChild<QTableView *>();
        alertTable->selectRow(alerts->model()->rowOf(id));
        alerts->sendTestAlert();
        QTRY_COMPARE(alerts->model()->rowCount(), 2);
        QVERIFY(alerts->model()->alertAt(0).id != id); // the newest on top
        QCOMPARE(alerts->model()->alertAt(alertTable->currentIndex().row()).id, id);
        QCOMPARE(reset.size(), 0);
        QSignalSpy exported(alerts, &AlertsView::exportFinished);
        const QString path = m_dir.filePath(QStringLiteral("alerts.csv"));
        alerts->exportCsv(path);
        QTRY_COMPARE(exported.size(), 1);
        QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
        QFile csv(path);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray content = csv.readAll();
        QVERIFY(content.startsWith("id,service,endpoint,reason,level,state,fired_at,resolved_at,acknowledged_by,"
                                   "acknowledged_at,duration_s,explanation,channels\r\n"));
        QVERIFY(content.contains("Test alert"));
        QVERIFY(content.contains(",tester,"));

        // Channels: a desktop channel needs no secret; a webhook without a valid URL is refused.
        w.openChannels();
        auto *channels = w.findChild<ChannelsDialog *>();
        QVERIFY(channels);
        channels->addChannel(QStringLiteral("webhook"), QStringLiteral("hook"), QStringLiteral("not a url"), {});
        QTRY_VERIFY2(channels->message().contains(QStringLiteral("url")), qPrintable(channels->message()));
        channels->addChannel(QStringLiteral("desktop"), QStringLiteral("desk"), {}, {});
        QTRY_VERIFY(std::any_of(channels->channels().begin(), channels->channels().end(), [](const QJsonValue &v) {
            return v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("desk");
        }));
        qint64 desk = 0;
        for (const QJsonValue &v : channels->channels())
            if (v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("desk"))
                desk = v.toObject().value(QStringLiteral("id")).toInteger();
        channels->updateChannel(desk, QStringLiteral("desk"), {}, {}, false);
        QTRY_VERIFY(std::any_of(channels->channels().begin(), channels->channels().end(), [](const QJsonValue &v) {
            return v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("desk")
                   && !v.toObject().value(QStringLiteral("enabled")).toBool();
        }));
        w.close();
        engine.stop();
    }
};

void TstMainWindow::closeWithoutTrayAsks()
{
    MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QSignalSpy quit(&w, &MainWindow::quitRequested);
    w.close();
    auto *ask = w.findChild<QMessageBox *>();
    QVERIFY(ask);
    QTRY_VERIFY(ask->isVisible());
    QVERIFY(w.isVisible());
    ask->button(QMessageBox::Cancel)->click();
    QTRY_VERIFY(!w.findChild<QMessageBox *>());
    QVERIFY(w.isVisible());
    QCOMPARE(quit.size(), 0);
    w.close();
    QTRY_VERIFY(w.findChild<QMessageBox *>() && w.findChild<QMessageBox *>()->isVisible());
    for (QAbstractButton *b : w.findChild<QMessageBox *>()->buttons())
        if (w.findChild<QMessageBox *>()->buttonRole(b) == QMessageBox::AcceptRole)
            b->click();
    QTRY_COMPARE(quit.size(), 1);
    QVERIFY(!w.isVisible());
}

void TstMainWindow::closeToTrayKeepsServingAndLayoutIsRestored()
{
    EngineConfig c;
    c.listenPort = 0;
    c.dbPath = m_dir.filePath(QStringLiteral("tray.db"));
    Engine engine(c);
    QString err;
    QVERIFY2(engine.start(&err), qPrintable(err));
    QSettings settings(m_dir.filePath(QStringLiteral("window.ini")), QSettings::IniFormat);
    auto transport = [&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                               std::function<void(const HttpResponse &)> done) {
        engine.callApi(method, target, body, context, std::move(done));
    };
    QSystemTrayIcon tray(QIcon(QStringLiteral(":/icons/flowguard.png")));
    tray.show();
    {
        MainWindow w;
        w.setSettings(&settings);
        w.setApi(transport);
        w.setTray(&tray);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy quit(&w, &MainWindow::quitRequested);
        // Ctrl+2 … switch views.
        auto *tabs = w.findChild<QTabWidget *>();
        QTest::keyClick(&w, Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(tabs->currentWidget(), static_cast<QWidget *>(w.logsView()));
        QTest::keyClick(&w, Qt::Key_2, Qt::ControlModifier);
        QCOMPARE(tabs->currentWidget(), static_cast<QWidget *>(w.serviceView()));
        w.serviceView()->setRangeIndex(3);
        // Column widths are the user's: a widened logs column comes back.
        w.findChild<QTableView *>(QStringLiteral("logsTable"))->setColumnWidth(1, 333);

        // Closing hides to the tray (said once) and the listener keeps serving.
        QVERIFY(!settings.value(QStringLiteral("window/tray_notice_shown")).toBool());
        w.close();
        QVERIFY(!w.isVisible());
        QCOMPARE(quit.size(), 0);
        QVERIFY(settings.value(QStringLiteral("window/tray_notice_shown")).toBool());
        TestHttpClient client(engine.port());
        QCOMPARE(client.post("/api/ingest/logs", R"({"service":"tray","message":"still here"})").status, 202);
        QCOMPARE(client.get("/api/health").status, 200);
        // The tray menu opens it again and quits.
        QVERIFY(tray.contextMenu());
        QList<QAction *> actions = tray.contextMenu()->actions();
        actions.first()->trigger();
        QVERIFY(w.isVisible());
        actions.last()->trigger();
        QCOMPARE(quit.size(), 1);
    }
    // The next window comes back on the same view and range.
    MainWindow again;
    again.setSettings(&settings);
    QCOMPARE(again.findChild<QTabWidget *>()->currentWidget(), static_cast<QWidget *>(again.serviceView()));
    QCOMPARE(again.serviceView()->rangeIndex(), 3);
    QCOMPARE(again.findChild<QTableView *>(QStringLiteral("logsTable"))->columnWidth(1), 333);
    engine.stop();
}

void TstMainWindow::titleCountsFiringAlerts()
{
    EngineConfig c;
    c.listenPort = 0;
    c.dbPath = m_dir.filePath(QStringLiteral("firing.db"));
    Engine engine(c);
    QString err;
    QVERIFY2(engine.start(&err), qPrintable(err));
    TestHttpClient client(engine.port());
    QCOMPARE(client.post("/api/rules", R"({"name":"anything","condition":"count(*) > 0","window":"5m","for":"0m","level":"warning"})").status,
             201);
    QByteArray body;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int i = 0; i < 300; ++i)
        body += "{\"service\":\"busy\",\"ts\":" + QByteArray::number(now - 300'000 + i * 1000) + ",\"message\":\"tick\"}\n";
    QCOMPARE(client.post("/api/ingest/logs", body, "application/x-ndjson").status, 202);
    MainWindow w;
    w.setApi([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                       std::function<void(const HttpResponse &)> done) {
        engine.callApi(method, target, body, context, std::move(done));
    });
    QTRY_VERIFY_WITH_TIMEOUT(w.firingAlerts() > 0, 20000);
    QVERIFY2(w.windowTitle().contains(QStringLiteral("firing")), qPrintable(w.windowTitle()));
    engine.stop();
}

void TstMainWindow::serviceViewOpensItsLogs()
{
    EngineConfig c;
    c.listenPort = 0;
    c.dbPath = m_dir.filePath(QStringLiteral("servicelogs.db"));
    Engine engine(c);
    QString err;
    QVERIFY2(engine.start(&err), qPrintable(err));
    TestHttpClient client(engine.port());
    QCOMPARE(client.post("/api/ingest/logs", R"([{"service":"pay","message":"paid"},{"service":"ship","message":"shipped"}])").status, 202);
    MainWindow w;
    w.setApi([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                       std::function<void(const HttpResponse &)> done) {
        engine.callApi(method, target, body, context, std::move(done));
    });
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.openService(QStringLiteral("pay"));
    QToolButton *logs = nullptr;
    for (QToolButton *b : w.serviceView()->findChildren<QToolButton *>())
        if (b->text() == QLatin1String("Logs"))
            logs = b;
    QVERIFY(logs);
    logs->click();
    QCOMPARE(w.findChild<QTabWidget *>()->currentWidget(), static_cast<QWidget *>(w.logsView()));
    QTRY_COMPARE(w.logsView()->model()->rowCount(), 1);
    QCOMPARE(w.logsView()->model()->row(0).service, QStringLiteral("pay"));

    // Ctrl+F goes to the view's search field; About names the database.
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    QTest::keyClick(&w, Qt::Key_1, Qt::ControlModifier);
    QTest::keyClick(&w, Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(w.servicesOverview()->findChild<QLineEdit *>()->hasFocus());
    QTest::keyClick(&w, Qt::Key_4, Qt::ControlModifier); // Alerts: no search of its own, Logs has one
    QTest::keyClick(&w, Qt::Key_F, Qt::ControlModifier);
    QCOMPARE(w.findChild<QTabWidget *>()->currentWidget(), static_cast<QWidget *>(w.logsView()));
    w.showAbout();
    QTRY_VERIFY(w.findChild<QMessageBox *>(QStringLiteral("about")));
    QVERIFY(w.findChild<QMessageBox *>(QStringLiteral("about"))->text().contains(QStringLiteral("servicelogs.db")));
    engine.stop();
}

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
