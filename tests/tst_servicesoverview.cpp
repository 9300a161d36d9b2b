#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "engine/engine.h"
#include "servicesmodel.h"
#include "servicesoverview.h"
#include "testhttpclient.h"
#include "windowtraffic.h"

using namespace fg;

// The services overview against a real engine: empty state with this listener's address, then three
// services ingested over the real listener, scored and sorted worst first, filtered, opened with Enter,
// and updated in place (no resets) as refreshes come.
class TstServicesOverview : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void modelUpdatesInPlace()
    {
        ServicesModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        auto row = [](const char *name, double score) {
            ServiceRow r;
            r.name = QString::fromLatin1(name);
            r.score = score;
            r.state = score >= 80 ? HealthState::Healthy : HealthState::Degraded;
            return r;
        };
        model.update({row("a", 90), row("b", 60)});
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(changed.size(), 1); // the ages
        model.setSparkline(QStringLiteral("a"), {1, 2, NAN, 3});
        QCOMPARE(changed.size(), 2);
        model.setSparkline(QStringLiteral("a"), {1, 2, NAN, 3}); // same line, gap included: no repaint
        QCOMPARE(changed.size(), 2);
        model.update({row("a", 90), row("b", 60)}); // nothing changed but the age of "last seen"; the sparkline is kept
        QCOMPARE(changed.size(), 3);
        QCOMPARE(changed.last().at(0).toModelIndex().column(), int(ServicesModel::LastSeen));
        QCOMPARE(model.rows().first().sparkline.size(), 4);
        model.update({row("b", 40), row("c", 100)});
        QCOMPARE(removed.size(), 1);
        QCOMPARE(inserted.size(), 3);
        QCOMPARE(changed.size(), 5); // b's row, then the ages
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(model.index(0, ServicesModel::Score), Qt::DisplayRole).toString(), QStringLiteral("40"));
        QCOMPARE(reset.size(), 0);
    }

    void showsServicesWorstFirstAfterIngest()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("overview.db"));
        c.retentionSeconds = 0;
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        ApiClient api;
        api.setTransport([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                                   std::function<void(const HttpResponse &)> done) {
            engine.callApi(method, target, body, context, std::move(done));
        });
        ServicesOverview view(&api);
        QAbstractItemModelTester tester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(view.table()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.setListenAddress(engine.listenAddress());
        view.resize(1000, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy refreshed(&view, &ServicesOverview::refreshed);
        QVERIFY(refreshed.wait(5000));
        QVERIFY(view.showsEmptyState());
        const QString emptyText = view.findChild<QLabel *>(QStringLiteral("emptyState"))->text();
        QVERIFY2(emptyText.contains(QStringLiteral("http://%1/api/ingest/logs").arg(engine.listenAddress())), qPrintable(emptyText));

        TestHttpClient client(engine.port());
        TrafficShape checkout{"checkout"}, auth{"auth"}, search{"search"};
        checkout.seed = 1;
        auth.seed = 2;
        auth.recentMinutes = 8;
        auth.recentErrorShare = 0.3;
        auth.recentLatencyFactor = 3;
        search.seed = 3;
        search.recentMinutes = 8;
        search.recentLatencyFactor = 2;
        for (const TrafficShape &s : {checkout, auth, search})
            QCOMPARE(client.post("/api/ingest/logs", generateTraffic(s), "application/x-ndjson").status, 202);

        QSignalSpy reset(view.model(), &QAbstractItemModel::modelReset);
        // Analysis runs behind ingest: wait until all three are scored.
        QTRY_VERIFY_WITH_TIMEOUT(view.model()->rowCount() == 3 && std::all_of(view.model()->rows().begin(), view.model()->rows().end(),
                                                                              [](const ServiceRow &r) { return r.score.has_value(); }),
                                 30000);
        QVERIFY(!view.showsEmptyState());
        const QAbstractItemModel *shown = view.table()->model();
        auto nameAt = [&](int row) { return shown->index(row, ServicesModel::Name).data().toString(); };
        const ServiceRow &a = view.model()->rows().at(view.model()->rowOf(QStringLiteral("auth")));
        const ServiceRow &ok = view.model()->rows().at(view.model()->rowOf(QStringLiteral("checkout")));
        QVERIFY2(*a.score < 50, qPrintable(QString::number(*a.score)));
        QCOMPARE(a.state, HealthState::Critical);
        QVERIFY(a.errorRate > 0.1);
        QVERIFY(*a.p95Ms > *a.baselineP95Ms);
        QCOMPARE(ok.state, HealthState::Healthy);
        QVERIFY(ok.lastSeen.isValid());
        QTRY_VERIFY(view.model()->rows().at(view.model()->rowOf(QStringLiteral("checkout"))).throughputRps.has_value());
        // Worst first: auth (critical), search (degraded), checkout (healthy).
        QTRY_COMPARE(nameAt(0), QStringLiteral("auth"));
        QCOMPARE(nameAt(1), QStringLiteral("search"));
        QCOMPARE(nameAt(2), QStringLiteral("checkout"));
        QCOMPARE(shown->index(0, ServicesModel::State).data().toString(), QStringLiteral("critical"));
        QTRY_COMPARE(view.findChild<QLabel *>(QStringLiteral("overviewStatus"))->text(),
                     QStringLiteral("3 service(s): 1 critical, 1 degraded, 1 healthy"));
        QVERIFY(!shown->index(0, ServicesModel::State).data(Qt::DecorationRole).isNull()); // an icon, not colour alone
        // The sparkline of the last hour fills in.
        QTRY_VERIFY_WITH_TIMEOUT(view.model()->rows().at(view.model()->rowOf(QStringLiteral("checkout"))).sparkline.size() == 60, 10000);

        // A few refreshes later nothing was reset (rows are updated in place).
        QVERIFY(refreshed.wait(5000));
        QCOMPARE(reset.size(), 0);

        // Filter, then Enter opens the selected service.
        view.findChild<QLineEdit *>()->setText(QStringLiteral("SEAR"));
        QCOMPARE(shown->rowCount(), 1);
        QSignalSpy opened(&view, &ServicesOverview::openService);
        view.table()->setFocus();
        view.table()->setCurrentIndex(shown->index(0, 0));
        QTest::keyClick(view.table(), Qt::Key_Return);
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.first().first().toString(), QStringLiteral("search"));
        QVERIFY(!view.grab().isNull());
        engine.stop();
    }
};

QTEST_MAIN(TstServicesOverview)
#include "tst_servicesoverview.moc"
