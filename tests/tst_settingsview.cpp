#include <QComboBox>
#include <QJsonArray>
#include <QLabel>
#include <QProcessEnvironment>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "auth/tokenfile.h"
#include "channelsdialog.h"
#include "detectionsettingspage.h"
#include "engine/engine.h"
#include "generalsettingspage.h"
#include "mainwindow.h"
#include "settingsview.h"
#include "tagrulespage.h"
#include "testhttpclient.h"
#include "tokenspage.h"

using namespace fg;

// The Settings view against a real engine (tokens required even on loopback): detection settings and
// SLOs, tag rules, the listener and retention saved for the next start, a test alert through the
// channels, and API tokens created and revoked through the token file while the listener serves.
class TstSettingsView : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<MainWindow> m_window;
    QByteArray m_adminSecret;

    SettingsView *view() const { return m_window->settingsView(); }
    HttpReply adminGet(const QByteArray &target)
    {
        TestHttpClient http(m_engine->port());
        return http.request("GET", target, {}, {{"Authorization", "Bearer " + m_adminSecret}});
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("settings.db"));
        c.requireAuth = true;
        TokenFile file(TokenFile::pathFor(c.dbPath));
        QString error;
        ApiToken token;
        const auto secret = file.create(QStringLiteral("ops"), TokenScope::Admin, &token, &error);
        QVERIFY2(secret, qPrintable(error));
        m_adminSecret = *secret;
        m_engine = std::make_unique<Engine>(c);
        QVERIFY2(m_engine->start(&error), qPrintable(error));
        m_window = std::make_unique<MainWindow>();
        m_window->setApi([engine = m_engine.get()](const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                                   QObject *context, std::function<void(const HttpResponse &)> done) {
            engine->callApi(method, target, body, context, std::move(done));
        });
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_engine->stop();
    }

    void ctrlCommaOpensSettings()
    {
        QTest::keyClick(m_window.get(), Qt::Key_Comma, Qt::ControlModifier);
        QCOMPARE(m_window->findChild<QTabWidget *>()->currentWidget(), static_cast<QWidget *>(view()));
        m_window->openChannels();
        QCOMPARE(view()->pages()->currentWidget(), static_cast<QWidget *>(view()->channels()));
    }

    void detectionSettingsAndSlos()
    {
        view()->showPage(SettingsView::Detection);
        DetectionSettingsPage *page = view()->detection();
        QTRY_COMPARE(page->sensitivity()->currentData().toString(), QStringLiteral("normal"));
        page->sensitivity()->setCurrentIndex(page->sensitivity()->findData(QStringLiteral("high")));
        page->addSlo(QStringLiteral("checkout"), 250, 5);
        page->save();
        QTRY_VERIFY2(page->message().startsWith(QStringLiteral("Saved")), qPrintable(page->message()));
        const QJsonObject stored = adminGet("/api/settings/detection").json();
        QCOMPARE(stored.value(QStringLiteral("sensitivity")).toString(), QStringLiteral("high"));
        const QJsonObject slo = stored.value(QStringLiteral("slos")).toObject().value(QStringLiteral("checkout")).toObject();
        QCOMPARE(slo.value(QStringLiteral("p95_latency_ms")).toDouble(), 250.0);
        QCOMPARE(slo.value(QStringLiteral("error_rate")).toDouble(), 0.05);

        // A bad value is refused by the engine, which names it; nothing changes.
        page->slos()->item(0, 1)->setText(QStringLiteral("fast"));
        page->save();
        QTRY_VERIFY2(page->message().contains(QStringLiteral("slos.checkout.p95_latency_ms")), qPrintable(page->message()));
        QCOMPARE(adminGet("/api/settings/detection").json().value(QStringLiteral("slos")).toObject().value(QStringLiteral("checkout"))
                     .toObject().value(QStringLiteral("p95_latency_ms")).toDouble(),
                 250.0);
        // Reloading shows what is stored.
        page->reload();
        QTRY_COMPARE(page->slos()->item(0, 1)->text(), QStringLiteral("250"));
    }

    void tagRules()
    {
        view()->showPage(SettingsView::Tags);
        TagRulesPage *page = view()->tags();
        page->addRule(QStringLiteral("payments"), {QStringLiteral("card declined"), QStringLiteral("chargeback")}, 0);
        page->save();
        QTRY_VERIFY2(page->message().startsWith(QStringLiteral("Saved")), qPrintable(page->message()));
        const QJsonArray rules = adminGet("/api/settings/tags").json().value(QStringLiteral("rules")).toArray();
        QCOMPARE(rules.size(), 1);
        QCOMPARE(rules.first().toObject().value(QStringLiteral("tag")).toString(), QStringLiteral("payments"));
        QCOMPARE(rules.first().toObject().value(QStringLiteral("words")).toArray().size(), 2);
        page->addRule(QStringLiteral("bad,tag"), {QStringLiteral("x")}, 0);
        page->save();
        QTRY_VERIFY2(page->message().contains(QStringLiteral("rules[1].tag")), qPrintable(page->message()));
    }

    void listenerAndRetentionForTheNextStart()
    {
        QSettings settings(m_dir.filePath(QStringLiteral("flowguard.ini")), QSettings::IniFormat);
        view()->setSettings(&settings);
        view()->showPage(SettingsView::General);
        GeneralSettingsPage *page = view()->general();
        QTRY_VERIFY(!page->findChildren<QLabel *>().isEmpty());
        page->listen()->setText(QStringLiteral("127.0.0.1:99999"));
        QVERIFY(!page->save());
        QVERIFY2(page->message().contains(QStringLiteral("listen")), qPrintable(page->message()));
        QVERIFY(!settings.contains(QStringLiteral("listen")));
        page->listen()->setText(QStringLiteral("127.0.0.1:5055"));
        page->retention()->setText(QStringLiteral("30d"));
        QVERIFY(page->save());
        QVERIFY2(page->message().contains(QStringLiteral("Restart")), qPrintable(page->message()));
        // What the next start reads.
        const ConfigResult next = resolveConfig({}, QProcessEnvironment(), &settings);
        QVERIFY(next.errors.isEmpty());
        QCOMPARE(next.config.listenPort, quint16(5055));
        QCOMPARE(next.config.retentionSeconds, qint64(30) * 86400);
        view()->setSettings(nullptr);
    }

    void channelsSendTest()
    {
        view()->showPage(SettingsView::Channels);
        view()->channels()->sendTest();
        QTRY_VERIFY2(view()->channels()->message().startsWith(QStringLiteral("Test alert")), qPrintable(view()->channels()->message()));
        const QJsonArray alerts = adminGet("/api/alerts?limit=10").json().value(QStringLiteral("items")).toArray();
        QVERIFY(std::any_of(alerts.begin(), alerts.end(), [](const QJsonValue &v) {
            return v.toObject().value(QStringLiteral("reason")).toString().contains(QStringLiteral("test"), Qt::CaseInsensitive);
        }));
    }

    void tokensCreatedAndRevoked()
    {
        view()->showPage(SettingsView::Tokens);
        TokensPage *page = view()->tokens();
        QTRY_COMPARE(page->table()->rowCount(), 1); // "ops", created before the start
        QCOMPARE(page->tokens().front().name, QStringLiteral("ops"));
        page->create(QStringLiteral("bad name!"), TokenScope::Ingest);
        QVERIFY2(page->message().startsWith(QStringLiteral("Name")), qPrintable(page->message()));
        page->create(QStringLiteral("collectors"), TokenScope::Ingest);
        QTRY_COMPARE(page->table()->rowCount(), 2);
        const QByteArray secret = page->newSecret().toLatin1();
        QVERIFY(secret.startsWith("fg_"));
        QCOMPARE(page->table()->item(1, 3)->text(), QStringLiteral("ingest"));

        // The running listener takes the new token (it watches the file) and refuses requests without one.
        TestHttpClient http(m_engine->port());
        const QByteArray log = "{\"service\":\"tok\",\"message\":\"hello\"}";
        QCOMPARE(http.post("/api/ingest/logs", log).status, 401);
        QTRY_COMPARE_WITH_TIMEOUT(http.request("POST", "/api/ingest/logs", log,
                                               {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + secret}})
                                      .status,
                                  202, 10000);

        page->table()->selectRow(1);
        page->revokeSelected();
        QTRY_COMPARE(page->table()->rowCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(http.request("POST", "/api/ingest/logs", log,
                                               {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + secret}})
                                      .status,
                                  401, 10000);
    }
};

QTEST_MAIN(TstSettingsView)
#include "tst_settingsview.moc"
