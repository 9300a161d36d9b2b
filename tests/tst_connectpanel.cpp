#include <QAbstractItemModelTester>
#include <QListWidget>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "auth/tokenfile.h"
#include "clientformats.h"
#include "connectpanel.h"
#include "engine/engine.h"
#include "mainwindow.h"
#include "rejectionsmodel.h"
#include "testhttpclient.h"

using namespace fg;

// The Connect panel against a real engine: every snippet names this listener, the curl snippets work as
// pasted (run by sh against the real listener), the checklist ticks per format as its first items arrive,
// a token placeholder appears when tokens are required, and refused requests show in the inspector.
class TstConnectPanel : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static ApiClient::Transport transport(Engine &engine)
    {
        return [&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                         std::function<void(const HttpResponse &)> done) {
            engine.callApi(method, target, body, context, std::move(done));
        };
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void snippetsWorkAndTheChecklistTicks()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("connect.db"));
        Engine engine(c);
        QString error;
        QVERIFY2(engine.start(&error), qPrintable(error));
        MainWindow w;
        w.setApi(transport(engine));
        w.showStats(engine.stats());
        w.show();
        w.openConnect();
        ConnectPanel *panel = w.connectPanel();
        QVERIFY(panel->isVisible());
        QAbstractItemModelTester tester(panel->rejections(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QString url = QStringLiteral("http://") + engine.listenAddress();
        QTRY_COMPARE(panel->formats()->count(), int(clientFormats().size()));
        QCOMPARE(panel->received(), QStringList());

        // Each format's snippet names this listener; the runnable ones are run as pasted, in a directory
        // with an app.log for the plain-lines one.
        QTemporaryDir work;
        QFile log(work.filePath(QStringLiteral("app.log")));
        QVERIFY(log.open(QIODevice::WriteOnly));
        log.write("GET /pay 200 35ms\nERROR card declined\n");
        log.close();
        QStringList ran;
        for (const ClientFormat &f : clientFormats()) {
            panel->selectFormat(f.id);
            const QString snippet = panel->snippet();
            QVERIFY2(snippet.contains(url), qPrintable(f.id + QLatin1Char(':') + snippet));
            QVERIFY2(!snippet.contains(QLatin1Char('{') + QStringLiteral("url}")), qPrintable(snippet));
            if (f.id == QLatin1String("otel-sdk")) {
                QVERIFY(snippet.contains(QStringLiteral("OTEL_EXPORTER_OTLP_ENDPOINT=") + url));
                QVERIFY(!snippet.contains(QStringLiteral("FLOWGUARD_TOKEN")));
                continue; // environment for an SDK, not a command
            }
            QProcess sh;
            sh.setWorkingDirectory(work.path());
            sh.start(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("set -e; ") + QString(snippet).replace(QStringLiteral("curl "), QStringLiteral("curl -sf "))});
            QVERIFY(sh.waitForFinished(15000));
            QVERIFY2(sh.exitCode() == 0, qPrintable(f.id + QStringLiteral(": ") + QString::fromUtf8(sh.readAllStandardError())));
            ran << f.id;
        }
        QCOMPARE(ran.size(), int(clientFormats().size()) - 1);
        // Every format has delivered: all ticked (the SDK's routes got the OTLP curl's log).
        panel->refresh();
        QStringList all;
        for (const ClientFormat &f : clientFormats())
            all << f.id;
        QTRY_COMPARE(panel->received(), all);

        // A refused request shows in the inspector with its field and source.
        TestHttpClient http(engine.port());
        QCOMPARE(http.post("/api/ingest/logs", "[{\"message\":\"no service\"}]").status, 422);
        panel->refresh();
        QTRY_COMPARE(panel->rejections()->rowCount(), 1);
        const RejectionRow row = panel->rejections()->rows().first();
        QCOMPARE(row.route, QStringLiteral("/api/ingest/logs"));
        QCOMPARE(row.status, 422);
        QCOMPARE(row.field, QStringLiteral("service"));
        QCOMPARE(row.source, QStringLiteral("127.0.0.1"));
        // A newer one goes on top; the older row stays (no reset).
        QSignalSpy reset(panel->rejections(), &QAbstractItemModel::modelReset);
        QCOMPARE(http.post("/v1/metrics", "x", "application/xml").status, 415);
        panel->refresh();
        QTRY_COMPARE(panel->rejections()->rowCount(), 2);
        QCOMPARE(panel->rejections()->rows().first().route, QStringLiteral("/v1/metrics"));
        QCOMPARE(reset.size(), 0);
        engine.stop();
    }

    void tokenPlaceholderWhenTokensAreRequired()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("tokens.db"));
        c.requireAuth = true;
        TokenFile file(TokenFile::pathFor(c.dbPath));
        QString error;
        ApiToken token;
        const auto secret = file.create(QStringLiteral("ci"), TokenScope::Ingest, &token, &error);
        QVERIFY(secret);
        Engine engine(c);
        QVERIFY2(engine.start(&error), qPrintable(error));
        MainWindow w;
        w.setApi(transport(engine));
        w.showStats(engine.stats());
        w.show();
        w.openConnect();
        ConnectPanel *panel = w.connectPanel();
        panel->selectFormat(QStringLiteral("native-logs"));
        QTRY_VERIFY2(panel->snippet().contains(QStringLiteral("Authorization: Bearer $FLOWGUARD_TOKEN")), qPrintable(panel->snippet()));
        panel->selectFormat(QStringLiteral("otel-sdk"));
        QVERIFY(panel->snippet().contains(QStringLiteral("OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer $FLOWGUARD_TOKEN\"")));
        // The snippet works with the token in the environment.
        panel->selectFormat(QStringLiteral("native-logs"));
        QProcess sh;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FLOWGUARD_TOKEN"), QString::fromLatin1(*secret));
        sh.setProcessEnvironment(env);
        sh.start(QStringLiteral("sh"), {QStringLiteral("-c"), panel->snippet().replace(QStringLiteral("curl "), QStringLiteral("curl -sf "))});
        QVERIFY(sh.waitForFinished(15000));
        QVERIFY2(sh.exitCode() == 0, sh.readAllStandardError().constData());
        engine.stop();
    }
};

QTEST_MAIN(TstConnectPanel)
#include "tst_connectpanel.moc"
