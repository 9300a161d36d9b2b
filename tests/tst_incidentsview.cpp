#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include "acknowledgedialog.h"
#include "alertsview.h"
#include "engine/engine.h"
#include "incidentsmodel.h"
#include "incidentsview.h"
#include "mainwindow.h"
#include "silencedialog.h"
#include "testhttpclient.h"

using namespace fg;

namespace {
// Live traffic for `service` over the last 5 minutes: what a `count(*) > 0` rule fires on at once.
QByteArray liveMinutes(const QByteArray &service)
{
    QByteArray out;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int m = 5; m >= 0; --m)
        for (int i = 0; i < 5; ++i)
            out += "{\"ts\":" + QByteArray::number(now - m * 60000 - i * 1000) + ",\"service\":\"" + service
                   + "\",\"message\":\"GET /x\",\"status_code\":200,\"latency_ms\":12}\n";
    return out;
}

QJsonArray openAlertsOf(TestHttpClient &client, const QByteArray &service)
{
    return client.get("/api/alerts?state=open&service=" + service).json().value(QStringLiteral("items")).toArray();
}
} // namespace

// The incidents list against a real engine (listener on port 0, SQLite in a temporary directory): rows
// per incident with their alerts beneath, acknowledging and silencing several in one action, and in-place
// updates that keep the selection.
class TstIncidentsView : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void acknowledgeAndSilenceIncidentsInOneAction()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("incidents.db"));
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        TestHttpClient client(engine.port());
        const HttpReply rule = client.post("/api/rules", "{\"name\":\"any event\",\"condition\":\"count(*) > 0\",\"window\":\"1m\","
                                                         "\"level\":\"critical\"}");
        QCOMPARE(rule.status, 201);

        QSettings settings(m_dir.filePath(QStringLiteral("window.ini")), QSettings::IniFormat);
        settings.setValue(QStringLiteral("window/export_folder"), m_dir.path());
        MainWindow w;
        w.setSettings(&settings);
        w.setApi([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                           std::function<void(const HttpResponse &)> done) {
            engine.callApi(method, target, body, context, std::move(done));
        });
        QCOMPARE(w.alertsView()->exportFolder(), m_dir.path()); // the folder of the last export, restored
        IncidentsView *view = w.incidentsView();
        IncidentsModel *model = view->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // Hidden (another tab is current), the list does not ask.
        QSignalSpy refreshed(view, &IncidentsView::refreshed);
        view->refresh();
        QTest::qWait(400);
        QCOMPARE(refreshed.size(), 0);
        w.findChild<QTabWidget *>()->setCurrentWidget(w.findChild<QTabWidget *>(QStringLiteral("alertsArea")));
        QVERIFY(view->isVisible()); // incidents first in the alerts area
        QTRY_VERIFY(refreshed.size() >= 1);

        QPushButton *ack = nullptr, *silence = nullptr;
        for (QPushButton *b : view->findChildren<QPushButton *>()) {
            if (b->text().startsWith(QStringLiteral("Acknowledge")))
                ack = b;
            if (b->text().startsWith(QStringLiteral("Silence")))
                silence = b;
        }
        QVERIFY(ack && silence);
        QVERIFY(!ack->isEnabled() && !silence->isEnabled()); // nothing selected

        for (const QByteArray service : {"shop", "pay"})
            QCOMPARE(client.post("/api/ingest/logs", liveMinutes(service), "application/x-ndjson").status, 202);
        QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 2 && model->rowCount(model->index(0, 0)) >= 1
                                     && model->rowCount(model->index(1, 0)) >= 1,
                                 30000);
        for (const IncidentRow &i : model->incidents()) {
            QCOMPARE(i.state, QStringLiteral("open"));
            QVERIFY(i.lastActivity.isValid());
            QVERIFY(std::any_of(i.alerts.begin(), i.alerts.end(), [](const IncidentAlertRow &a) { return a.awaitsAcknowledgement(); }));
        }
        // Alerts are children of their incident, and an alert row stands for its incident.
        const QModelIndex firstAlert = model->index(0, 0, model->index(0, 0));
        QVERIFY(model->alertAt(firstAlert));
        QCOMPARE(model->incidentAt(firstAlert)->id, model->incidents().at(0).id);

        // Both selected (one by an alert row): one action acknowledges every open alert of both.
        QTreeView *tree = view->tree();
        tree->selectionModel()->select(model->index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        tree->selectionModel()->select(model->index(0, 0, model->index(1, 0)), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QVERIFY(ack->isEnabled() && silence->isEnabled());
        const QList<qint64> selected = view->selectedIncidents();
        QCOMPARE(selected.size(), 2);
        QSignalSpy reset(model, &QAbstractItemModel::modelReset);
        QSignalSpy acknowledged(view, &IncidentsView::acknowledged);
        ack->click();
        auto *dialog = view->findChild<AcknowledgeDialog *>();
        QVERIFY(dialog);
        QString named;
        for (const QLabel *l : dialog->findChildren<QLabel *>())
            named += l->text();
        for (const IncidentRow &i : model->incidents())
            QVERIFY2(named.contains(QStringLiteral("#%1 %2").arg(i.id).arg(i.service)), qPrintable(named));
        QVERIFY2(named.contains(QStringLiteral("<br>")), qPrintable(named)); // one line each
        QVERIFY(dialog->minimumWidth() <= 900);
        dialog->findChildren<QLineEdit *>().first()->setText(QStringLiteral("ana"));
        dialog->accept();
        QTRY_COMPARE(acknowledged.size(), 1);
        QVERIFY2(acknowledged.first().first().toInt() >= 2, qPrintable(view->message()));
        for (const QByteArray service : {"shop", "pay"}) {
            const QJsonArray open = openAlertsOf(client, service);
            QVERIFY(!open.isEmpty());
            for (const QJsonValue &a : open)
                QCOMPARE(a.toObject().value(QStringLiteral("acknowledged_by")).toString(), QStringLiteral("ana"));
        }
        // The name is remembered for next time, in the settings too.
        QCOMPARE(view->acknowledger(), QStringLiteral("ana"));
        QCOMPARE(settings.value(QStringLiteral("window/acknowledger")).toString(), QStringLiteral("ana"));
        // The refresh shows it in place: same rows, same selection, no reset.
        QTRY_VERIFY(std::all_of(model->incidents().begin(), model->incidents().end(), [](const IncidentRow &i) {
            return std::none_of(i.alerts.begin(), i.alerts.end(), [](const IncidentAlertRow &a) { return a.awaitsAcknowledgement(); });
        }));
        QCOMPARE(view->selectedIncidents(), selected);

        // A new incident arrives on top: the selection stays on the same incidents, no reset.
        QCOMPARE(client.post("/api/ingest/logs", liveMinutes("cart"), "application/x-ndjson").status, 202);
        QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 3, 30000);
        QCOMPARE(view->selectedIncidents(), selected);
        QCOMPARE(reset.size(), 0);

        // Silence the selected incidents' services for a chosen time.
        QSignalSpy silenced(view, &IncidentsView::silenced);
        silence->click();
        auto *ask = view->findChild<SilenceDialog *>();
        QVERIFY(ask);
        ask->findChild<QComboBox *>()->setCurrentIndex(0); // 30 minutes
        ask->accept();
        QTRY_COMPARE(silenced.size(), 1);
        QCOMPARE(silenced.first().first().toInt(), 2);
        const QJsonArray silences = client.get("/api/silences").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(silences.size(), 2);
        for (const QJsonValue &s : silences) {
            const QJsonObject o = s.toObject();
            QVERIFY(o.value(QStringLiteral("service")).toString() == QLatin1String("shop")
                    || o.value(QStringLiteral("service")).toString() == QLatin1String("pay"));
            QCOMPARE(o.value(QStringLiteral("created_by")).toString(), QStringLiteral("ana"));
            const QDateTime ends = QDateTime::fromString(o.value(QStringLiteral("ends_at")).toString(), Qt::ISODateWithMs);
            QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(ends) - 1800) < 60);
        }
        // Nothing selected: both actions off again.
        tree->clearSelection();
        QVERIFY(!ack->isEnabled() && !silence->isEnabled());
        // An export to another folder: that folder is offered next time, after a restart too.
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("reports")));
        QSignalSpy exported(w.alertsView(), &AlertsView::exportFinished);
        w.alertsView()->exportCsv(m_dir.filePath(QStringLiteral("reports/alerts.csv")));
        QTRY_COMPARE(exported.size(), 1);
        QVERIFY(exported.first().at(0).toBool());
        QCOMPARE(settings.value(QStringLiteral("window/export_folder")).toString(), m_dir.filePath(QStringLiteral("reports")));
        w.close();
        engine.stop();
    }
};

QTEST_MAIN(TstIncidentsView)
#include "tst_incidentsview.moc"
