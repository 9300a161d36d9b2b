#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProgressDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "alertcsvexport.h"
#include "alertfilterbar.h"
#include "alerthistorychart.h"
#include "alertsmodel.h"
#include "alertsview.h"
#include "evidencechart.h"
#include "engine/engine.h"
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

// The first column (id) of each data row of a CSV report.
QList<QByteArray> csvIds(const QByteArray &csv)
{
    QList<QByteArray> ids;
    const QList<QByteArray> lines = csv.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i)
        if (!lines[i].trimmed().isEmpty())
            ids << lines[i].left(lines[i].indexOf(','));
    return ids;
}
} // namespace

// The alert history against a real engine (listener on port 0, SQLite in a temporary directory): the
// filters drive the table, the chart of alerts per hour and the CSV export alike; the export is written
// page by page and a cancelled one leaves no file.
class TstAlertHistory : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void filtersChartAndExport()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("history.db"));
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        TestHttpClient client(engine.port());
        QCOMPARE(client.post("/api/rules", "{\"name\":\"any event\",\"condition\":\"count(*) > 0\",\"window\":\"1m\","
                                           "\"level\":\"critical\"}").status,
                 201);
        for (const QByteArray service : {"shop", "pay"})
            QCOMPARE(client.post("/api/ingest/logs", liveMinutes(service), "application/x-ndjson").status, 202);
        QTRY_VERIFY_WITH_TIMEOUT(client.get("/api/alerts?q=any%20event").json().value(QStringLiteral("items")).toArray().size() == 2,
                                 30000);
        QCOMPARE(client.post("/api/test-alert", "{\"service\":\"shop\"}").status, 202);

        ApiClient api;
        api.setTransport([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                                   std::function<void(const HttpResponse &)> done) {
            engine.callApi(method, target, body, context, std::move(done));
        });
        AlertsView view(&api);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(1000, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTest::qWait(500); // the first refresh, for the default filters, is in
        AlertFilterBar *filters = view.filterBar();
        AlertsModel *model = view.model();
        QSignalSpy refreshed(&view, &AlertsView::refreshed);
        QSignalSpy charted(&view, &AlertsView::chartRefreshed);
        auto settle = [&] {
            refreshed.clear();
            charted.clear();
            return QTest::qWaitFor([&] { return !refreshed.isEmpty() && !charted.isEmpty(); }, 5000);
        };
        filters->setState(QString());
        QVERIFY(settle());
        QCOMPARE(model->rowCount(), 3); // two rule alerts and the test alert

        // Service: only its alerts; the service box offers the services seen.
        filters->setService(QStringLiteral("shop"));
        QVERIFY(settle());
        QCOMPARE(model->rowCount(), 2);
        for (const AlertRow &a : model->rows())
            QCOMPARE(a.service, QStringLiteral("shop"));
        // Text, case-insensitive over reason and explanation.
        filters->setText(QStringLiteral("ANY EVENT"));
        QVERIFY(settle());
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(model->alertAt(0).reason, QStringLiteral("any event"));
        const QDateTime fired = model->alertAt(0).firedAt;
        QVERIFY(fired.isValid());
        // The chart counts the fired alert in its hour, and nothing an hour before.
        QVERIFY(view.chart()->bars() >= 7 * 24);
        QCOMPARE(view.chart()->count(fired, QStringLiteral("critical")), 1);
        QCOMPARE(view.chart()->count(fired.addSecs(-3600), QStringLiteral("critical")), 0);
        QCOMPARE(view.chart()->count(fired, QStringLiteral("warning")), 0);

        // The detail pane's evidence: the KPI around the firing time (latency here: the rule says nothing
        // of errors or traffic), a point a minute from the stored minutes.
        EvidenceChart *evidence = view.evidenceChart();
        QSignalSpy drawn(evidence, &EvidenceChart::drawn);
        view.showAlert(model->alertAt(0).id);
        QTRY_COMPARE_WITH_TIMEOUT(drawn.size(), 1, 10000);
        QVERIFY(evidence->isVisible());
        QCOMPARE(evidence->kpi(), EvidenceChart::Kpi::Latency);
        QVERIFY2(evidence->points() >= 3 && evidence->points() <= 60, qPrintable(QString::number(evidence->points())));
        QCOMPARE(EvidenceChart::kpiFor(QStringLiteral("High error rate"), {}), EvidenceChart::Kpi::ErrorRate);
        QCOMPARE(EvidenceChart::kpiFor(QStringLiteral("Service silent"), {}), EvidenceChart::Kpi::Throughput);
        QCOMPARE(EvidenceChart::kpiFor(QStringLiteral("Latency degradation"), QStringLiteral("p95 950 ms")),
                 EvidenceChart::Kpi::Latency);

        // Export: exactly the rows the filters show.
        QSignalSpy exported(&view, &AlertsView::exportFinished);
        const QString path = m_dir.filePath(QStringLiteral("shop.csv"));
        view.exportCsv(path);
        QTRY_COMPARE(exported.size(), 1);
        QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(1).toString()));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray csv = file.readAll();
        file.close();
        QVERIFY(csv.startsWith("id,service,endpoint,reason,level,state,"));
        QCOMPARE(csvIds(csv), QList<QByteArray>{QByteArray::number(model->alertAt(0).id)});
        QVERIFY(!csv.contains(",pay,"));
        QVERIFY(!csv.contains("Test alert"));

        // A level filter: the test alert is info, the rule's critical.
        filters->setText(QString());
        filters->setLevel(QStringLiteral("critical"));
        QVERIFY(settle());
        QCOMPARE(model->rowCount(), 1);
        // A custom window that ended before the alerts: none in the table, none in the chart.
        filters->setLevel(QString());
        filters->setWindow(fired.addDays(-2), fired.addDays(-1));
        QVERIFY(settle());
        QCOMPARE(model->rowCount(), 0);
        QCOMPARE(view.chart()->count(fired, QStringLiteral("critical")), 0);
        filters->setRange(86400);
        QVERIFY(settle());
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(view.chart()->bars(), 25);

        // Streamed a page at a time: a one-row page size gives the same report in as many pages as rows.
        filters->setService(QString());
        QVERIFY(settle());
        QCOMPARE(model->rowCount(), 3);
        const QString paged = m_dir.filePath(QStringLiteral("paged.csv"));
        AlertCsvExport pages(&api, filters->filter().query(), paged, 1);
        QSignalSpy done(&pages, &AlertCsvExport::finished);
        QSignalSpy progress(&pages, &AlertCsvExport::progress);
        pages.start();
        QTRY_COMPARE(done.size(), 1);
        QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(1).toString()));
        QCOMPARE(pages.rows(), 3);
        QCOMPARE(pages.pages(), 3);
        QCOMPARE(progress.size(), 3);
        QFile pagedFile(paged);
        QVERIFY(pagedFile.open(QIODevice::ReadOnly));
        QList<QByteArray> shown;
        for (const AlertRow &a : model->rows())
            shown << QByteArray::number(a.id);
        QCOMPARE(csvIds(pagedFile.readAll()), shown);

        // Cancel in the progress dialog: no file; the folder is remembered for the next export.
        QCOMPARE(view.exportFolder(), QFileInfo(path).absolutePath());
        const QString viaDialog = m_dir.filePath(QStringLiteral("dialog.csv"));
        exported.clear();
        view.exportCsv(viaDialog);
        QProgressDialog *dialog = view.findChildren<QProgressDialog *>().last();
        QPushButton *cancel = nullptr;
        for (QPushButton *b : dialog->findChildren<QPushButton *>())
            if (b->text() == QLatin1String("Cancel"))
                cancel = b;
        QVERIFY(cancel);
        cancel->click();
        QTRY_COMPARE(exported.size(), 1);
        QVERIFY(!exported.first().at(0).toBool());
        QTest::qWait(200);
        QVERIFY(!QFile::exists(viaDialog));

        // Cancelled after a page was written: no file, not even a partial one.
        const QString cancelled = m_dir.filePath(QStringLiteral("cancelled.csv"));
        AlertCsvExport stopped(&api, filters->filter().query(), cancelled, 1);
        QSignalSpy stoppedDone(&stopped, &AlertCsvExport::finished);
        connect(&stopped, &AlertCsvExport::progress, &stopped, &AlertCsvExport::cancel); // after the first page
        stopped.start();
        QTRY_COMPARE(stoppedDone.size(), 1);
        QCOMPARE(stopped.pages(), 1);
        QVERIFY(!stoppedDone.first().at(0).toBool());
        QTest::qWait(200); // the writer drops its temporary file on its own thread
        QVERIFY(!QFile::exists(cancelled));
        QCOMPARE(QDir(m_dir.path()).entryList({QStringLiteral("cancelled*")}, QDir::Files | QDir::Hidden).size(), 0);
        engine.stop();
    }
};

QTEST_MAIN(TstAlertHistory)
#include "tst_alerthistory.moc"
