#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QTreeWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include "engine/engine.h"
#include "logsmodel.h"
#include "logsview.h"
#include "tracedialog.h"
#include "testhttpclient.h"

using namespace fg;

// The logs view against a real engine: a search pages in by the API's next_cursor (canFetchMore /
// fetchMore) until every stored match is shown, filters by service, level and text, and Follow puts
// newly ingested events on top without doubling any.
class TstLogsView : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static QByteArray events(const QByteArray &service, int n, int firstSecond, const char *level, const QByteArray &word)
    {
        QByteArray body;
        const qint64 base = QDateTime::currentMSecsSinceEpoch() - 3600 * 1000;
        for (int i = 0; i < n; ++i)
            body += "{\"service\":\"" + service + "\",\"ts\":" + QByteArray::number(base + qint64(firstSecond + i) * 1000)
                    + ",\"level\":\"" + level + "\",\"message\":\"" + word + " number " + QByteArray::number(i) + "\"}\n";
        return body;
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void traceLinkShowsTheTracesEvents()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("trace.db"));
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        TestHttpClient client(engine.port());
        const QByteArray trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QByteArray body;
        for (const char *service : {"gateway", "payments"})
            body += "{\"service\":\"" + QByteArray(service) + "\",\"ts\":" + QByteArray::number(now)
                    + ",\"level\":\"error\",\"message\":\"card declined in " + service + "\",\"trace_id\":\"" + trace + "\"}\n";
        body += "{\"service\":\"gateway\",\"ts\":" + QByteArray::number(now - 1000) + ",\"message\":\"untraced\"}\n";
        QCOMPARE(client.post("/api/ingest/logs", body, "application/x-ndjson").status, 202);

        ApiClient api;
        api.setTransport([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &b, QObject *context,
                                   std::function<void(const HttpResponse &)> done) {
            engine.callApi(method, target, b, context, std::move(done));
        });
        LogsView view(&api);
        view.show();
        QTRY_COMPARE(view.model()->rowCount(), 3);
        // The untraced event: no link.
        const int untraced = view.model()->row(2).traceId.isEmpty() ? 2 : 0;
        view.table()->setCurrentIndex(view.model()->index(untraced, 0));
        QVERIFY(!view.details()->text().contains(QStringLiteral("trace:")));
        view.table()->setCurrentIndex(view.model()->index(untraced == 2 ? 0 : 1, 0));
        QVERIFY2(view.details()->text().contains(QStringLiteral("href=\"trace:") + QString::fromLatin1(trace)),
                 qPrintable(view.details()->text()));
        emit view.details()->linkActivated(QStringLiteral("trace:") + QString::fromLatin1(trace));
        auto *dialog = view.findChild<TraceDialog *>();
        QVERIFY(dialog);
        QTRY_COMPARE(dialog->eventCount(), 2);
        QVERIFY2(dialog->message().contains(QStringLiteral("2 log event")), qPrintable(dialog->message()));
        QStringList services;
        for (int i = 0; i < dialog->tree()->topLevelItemCount(); ++i)
            services << dialog->tree()->topLevelItem(i)->text(1);
        services.sort();
        QCOMPARE(services, (QStringList{QStringLiteral("gateway"), QStringLiteral("payments")}));
        engine.stop();
    }

    void searchPagesFiltersAndFollows()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("logs.db"));
        c.retentionSeconds = 0;
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        TestHttpClient client(engine.port());
        QCOMPARE(client.post("/api/ingest/logs", events("api", 230, 0, "info", "served"), "application/x-ndjson").status, 202);
        QCOMPARE(client.post("/api/ingest/logs", events("api", 7, 300, "error", "failed"), "application/x-ndjson").status, 202);
        QCOMPARE(client.post("/api/ingest/logs", events("web", 40, 400, "warn", "slow"), "application/x-ndjson").status, 202);

        ApiClient api;
        api.setTransport([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                                   std::function<void(const HttpResponse &)> done) {
            engine.callApi(method, target, body, context, std::move(done));
        });
        LogsModel model(&api);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setPageSize(100);
        QSignalSpy loaded(&model, &LogsModel::pageLoaded);

        // All services: 277 events in pages of 100, newest first.
        model.search({});
        QVERIFY(loaded.wait(5000));
        QVERIFY(model.rowCount() >= 100); // the tester itself may have fetched more already
        QCOMPARE(model.row(0).service, QStringLiteral("web"));
        QVERIFY(model.hasMore());
        while (model.hasMore() || model.loading()) {
            if (model.canFetchMore({}))
                model.fetchMore({});
            QVERIFY(loaded.wait(5000));
        }
        QCOMPARE(model.rowCount(), 277);
        for (int i = 1; i < model.rowCount(); ++i)
            QVERIFY(model.row(i - 1).ts >= model.row(i).ts);
        QVERIFY(!model.hasMore());

        // Service, level (at least) and text filters.
        model.search({QStringLiteral("api"), QStringLiteral("warn"), {}, {}, {}});
        QVERIFY(loaded.wait(5000));
        QCOMPARE(model.rowCount(), 7);
        QCOMPARE(model.data(model.index(0, LogsModel::Level), Qt::DisplayRole).toString(), QStringLiteral("ERROR"));
        QVERIFY(model.data(model.index(0, LogsModel::Level), Qt::ForegroundRole).isValid()); // coloured
        model.search({{}, {}, QStringLiteral("SLOW NUMBER 3"), {}, {}});
        QVERIFY(loaded.wait(5000));
        QCOMPARE(model.rowCount(), 11); // 3, 30…39

        // The view: Follow puts new events on top, once each.
        LogsView view(&api);
        QAbstractItemModelTester viewTester(view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(900, 500);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QTRY_VERIFY(view.model()->rowCount() >= 200); // the first page (default size) of the last 24 hours
        // Scrolling to the bottom of the table fetches the next page.
        view.findChild<QTableView *>()->scrollToBottom();
        QTRY_COMPARE(view.model()->rowCount(), 277);
        QVERIFY(!view.model()->hasMore());
        view.setFollow(true);
        QByteArray fresh;
        for (int i = 0; i < 3; ++i)
            fresh += "{\"service\":\"web\",\"level\":\"error\",\"message\":\"live event " + QByteArray::number(i) + "\"}\n";
        QCOMPARE(client.post("/api/ingest/logs", fresh, "application/x-ndjson").status, 202);
        QTRY_VERIFY_WITH_TIMEOUT(view.model()->rowCount() == 280, 10000);
        QVERIFY(view.model()->row(0).message.startsWith(QStringLiteral("live event")));
        QTest::qWait(2500); // another poll: nothing doubled
        QCOMPARE(view.model()->rowCount(), 280);
        view.setFollow(false);
        engine.stop();
    }
};

QTEST_MAIN(TstLogsView)
#include "tst_logsview.moc"
