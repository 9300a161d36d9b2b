#include <algorithm>

#include <QDateTime>
#include <QFile>
#include <QProcess>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "engine/engine.h"
#include "recordingreceiver.h"
#include "testhttpclient.h"

using namespace fg;

namespace {
// A JSON body from text written with single quotes.
QByteArray body(const char *text) { return QByteArray(text).replace('\'', '"'); }

// Live traffic for `service`: 20 requests a minute over the last 7 minutes, half of them 500s.
QByteArray failingMinutes(const char *service)
{
    QByteArray out;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int m = 7; m >= 0; --m)
        for (int i = 0; i < 20; ++i) {
            const qint64 ts = now - m * 60000 - i * 1000;
            out += QByteArray("{\"ts\":") + QByteArray::number(ts) + ",\"service\":\"" + service
                   + "\",\"message\":\"GET /cart\",\"status_code\":" + (i % 2 ? "500" : "200") + ",\"latency_ms\":12}\n";
        }
    return out;
}
} // namespace

// The alerting API end to end over HTTP: rules CRUD with validation, a rule firing on live traffic, the
// alert's history, acknowledgement, silences, the CSV report, and rules surviving a restart.
int deleteChannel(TestHttpClient &client, qint64 id) { return client.request("DELETE", "/api/channels/" + QByteArray::number(id)).status; }

class TstAlertApi : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    EngineConfig config()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("alerts.db"));
        c.retentionSeconds = 0;
        c.allowPrivateTargets = true; // the receivers here are on loopback
        return c;
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void rulesAlertsSilencesAndReport()
    {
        Engine engine(config());
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        TestHttpClient client(engine.port());

        QCOMPARE(client.get("/api/rules").json().value(QStringLiteral("items")).toArray().size(), 5);
        HttpReply r = client.post("/api/rules", body("{'name':'x','condition':'error_rate >> 1'}"), "application/json");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("condition"));
        QVERIFY2(r.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("column 13")), r.body.constData());
        r = client.post("/api/rules",
                        body("{'name':'Cart errors, \\'urgent\\'','condition':'error_rate > 10%','window':'1m',"
                             "'service':'cart','level':'critical','tags':['shop']}"),
                        "application/json");
        QCOMPARE(r.status, 201);
        const qint64 ruleId = r.json().value(QStringLiteral("id")).toInteger();
        QVERIFY(ruleId > 5);
        QCOMPARE(client.request("DELETE", "/api/rules/1").status, 409);
        QCOMPARE(client.request("PUT", "/api/rules/999", body("{'level':'info'}")).status, 404);
        QCOMPARE(client.get("/api/rules/1").status, 405);

        QCOMPARE(client.post("/api/ingest/logs", failingMinutes("cart"), "application/x-ndjson").status, 202);
        QJsonObject alert;
        for (int attempt = 0; attempt < 100 && alert.isEmpty(); ++attempt) {
            for (const QJsonValue &v : client.get("/api/alerts?service=cart&state=firing").json().value(QStringLiteral("items")).toArray())
                if (v.toObject().value(QStringLiteral("rule_id")).toInteger() == ruleId)
                    alert = v.toObject();
            if (alert.isEmpty())
                QThread::msleep(100);
        }
        QVERIFY2(!alert.isEmpty(), client.get("/api/alerts").body.constData());
        QCOMPARE(alert.value(QStringLiteral("level")).toString(), QStringLiteral("critical"));
        QVERIFY2(alert.value(QStringLiteral("explanation")).toString().contains(QStringLiteral("error rate 50 %")),
                 qPrintable(alert.value(QStringLiteral("explanation")).toString()));
        // Event time of the minute that fired it: within the traffic just sent.
        const QDateTime fired = QDateTime::fromString(alert.value(QStringLiteral("fired_at")).toString(), Qt::ISODateWithMs);
        QVERIFY(fired.secsTo(QDateTime::currentDateTimeUtc()) < 10 * 60);
        const QByteArray path = "/api/alerts/" + QByteArray::number(alert.value(QStringLiteral("id")).toInteger());
        const QJsonObject detail = client.get(path).json();
        const QJsonArray history = detail.value(QStringLiteral("history")).toArray();
        QVERIFY(history.size() >= 2);
        QCOMPARE(history.at(0).toObject().value(QStringLiteral("to")).toString(), QStringLiteral("pending"));
        QCOMPARE(history.at(1).toObject().value(QStringLiteral("to")).toString(), QStringLiteral("firing"));

        // The alert opened an incident for the service.
        const qint64 incidentId = detail.value(QStringLiteral("incident_id")).toInteger();
        QVERIFY(incidentId > 0);
        const QJsonArray incidents = client.get("/api/incidents?service=cart&state=open").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(incidents.size(), 1);
        QCOMPARE(incidents.at(0).toObject().value(QStringLiteral("severity")).toString(), QStringLiteral("critical"));
        // The list carries each incident's alerts (for the window's incident rows) and its last activity.
        const QJsonArray listed = incidents.at(0).toObject().value(QStringLiteral("alerts")).toArray();
        QCOMPARE(listed.size(), incidents.at(0).toObject().value(QStringLiteral("alert_count")).toInt());
        QVERIFY(std::any_of(listed.begin(), listed.end(), [&](const QJsonValue &v) {
            return v.toObject().value(QStringLiteral("id")).toInteger() == alert.value(QStringLiteral("id")).toInteger()
                   && v.toObject().value(QStringLiteral("state")).toString() == QLatin1String("firing")
                   && v.toObject().value(QStringLiteral("rule_id")).toInteger() == ruleId;
        }));
        QVERIFY(QDateTime::fromString(incidents.at(0).toObject().value(QStringLiteral("last_activity_at")).toString(),
                                      Qt::ISODateWithMs) >= fired);
        const QJsonObject incident = client.get("/api/incidents/" + QByteArray::number(incidentId)).json();
        QVERIFY2(incident.value(QStringLiteral("explanation")).toString().startsWith(QStringLiteral("cart: 2 alerts")), // the rule's and the built-in error-rate rule's
                 client.get("/api/incidents/" + QByteArray::number(incidentId)).body.constData());
        QCOMPARE(incident.value(QStringLiteral("alerts")).toArray().size(), 2);
        QVERIFY(incident.value(QStringLiteral("timeline")).toArray().size() >= 2);
        QCOMPARE(client.get("/api/incidents/424242").status, 404);
        // The page notification links open: readable, escaped.
        const HttpReply page = client.get("/alerts/" + QByteArray::number(alert.value(QStringLiteral("id")).toInteger()));
        QCOMPARE(page.status, 200);
        QVERIFY(page.header("content-type").startsWith("text/html"));
        QVERIFY2(page.body.contains("Cart errors, &quot;urgent&quot;"), page.body.constData());
        QCOMPARE(client.get("/alerts/424242").status, 404);

        r = client.post(path + "/acknowledge", body("{'by':'ana','note':'looking'}"), "application/json");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("acknowledged_by")).toString(), QStringLiteral("ana"));
        QCOMPARE(client.get(path).json().value(QStringLiteral("acknowledged_by")).toString(), QStringLiteral("ana"));
        QCOMPARE(client.post("/api/alerts/99999/acknowledge", {}, "application/json").status, 404);

        // The report: exact header, CRLF, quoting of the comma and quotes in the reason.
        r = client.get("/api/alerts/export.csv?service=cart");
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("content-type").startsWith("text/csv"));
        QVERIFY(r.body.startsWith("id,service,endpoint,reason,level,state,fired_at,resolved_at,acknowledged_by,"
                                  "acknowledged_at,duration_s,explanation,channels\r\n"));
        QVERIFY2(r.body.contains(",\"Cart errors, \"\"urgent\"\"\",critical,firing,"), r.body.constData());
        QVERIFY(r.body.contains(",ana,"));
        QCOMPARE(client.get("/api/alerts?level=loud").status, 400);
        // Text search over service, reason and explanation, case-insensitive, in the list and the report.
        QCOMPARE(client.get("/api/alerts?q=URGENT").json().value(QStringLiteral("items")).toArray().size(), 1);
        QCOMPARE(client.get("/api/alerts?q=no-such-words").json().value(QStringLiteral("items")).toArray().size(), 0);
        QVERIFY(!client.get("/api/alerts/export.csv?q=no-such-words").body.contains("Cart errors"));
        r = client.get("/api/alerts?q=" + QByteArray(300, 'x'));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("q"));
        // The report in pages: the header once, X-Next-Cursor to the next page, the same rows as one piece.
        QByteArray pagedCsv;
        QByteArray cursor;
        int pages = 0;
        do {
            r = client.get("/api/alerts/export.csv?service=cart&limit=1" + (cursor.isEmpty() ? QByteArray() : "&cursor=" + cursor));
            QCOMPARE(r.status, 200);
            pagedCsv += r.body;
            cursor = r.header("x-next-cursor");
            ++pages;
        } while (!cursor.isEmpty() && pages < 10);
        QCOMPARE(pages, 2); // the rule's alert and the built-in error-rate alert
        const QByteArray wholeCsv = client.get("/api/alerts/export.csv?service=cart").body;
        QCOMPARE(pagedCsv.count("\r\n"), wholeCsv.count("\r\n"));
        QCOMPARE(pagedCsv.count("id,service,"), 1);
        // Alerts per hour and level: the fired alerts' hour holds them.
        r = client.get("/api/alerts/histogram?service=cart&range=24h");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("step_s")).toInt(), 3600);
        int critical = 0;
        for (const QJsonValue &v : r.json().value(QStringLiteral("items")).toArray()) {
            const QDateTime at = QDateTime::fromString(v.toObject().value(QStringLiteral("at")).toString(), Qt::ISODateWithMs);
            if (at <= fired && fired < at.addSecs(3600))
                critical += v.toObject().value(QStringLiteral("critical")).toInt();
        }
        QVERIFY2(critical >= 1, r.body.constData());
        r = client.get("/api/alerts/histogram?step=soon");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("step"));

        r = client.post("/api/silences", body("{'comment':'no matcher','ends_at':'2099-01-01T00:00:00Z'}"), "application/json");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("service"));
        r = client.post("/api/silences", body("{'service':'cart','duration':'soon'}"), "application/json");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("duration"));
        // A maintenance window for two hours, in the other accepted spellings.
        r = client.post("/api/silences", body("{'service':'cart','duration':'2h','creator':'bo'}"), "application/json");
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json().value(QStringLiteral("created_by")).toString(), QStringLiteral("bo"));
        QVERIFY(client.request("DELETE", "/api/silences/" + QByteArray::number(r.json().value(QStringLiteral("id")).toInteger())).status == 200);
        r = client.post("/api/silences",
                        body("{'tag':'shop','created_by':'ana','comment':'deploy','ends_at':'2099-01-01T00:00:00Z'}"),
                        "application/json");
        QCOMPARE(r.status, 201);
        const QByteArray silence = "/api/silences/" + QByteArray::number(r.json().value(QStringLiteral("id")).toInteger());
        QCOMPARE(client.get("/api/silences").json().value(QStringLiteral("items")).toArray().size(), 1);
        QCOMPARE(client.request("DELETE", silence).status, 200);
        QCOMPARE(client.get("/api/silences").json().value(QStringLiteral("items")).toArray().size(), 0);

        r = client.post("/api/test-alert", body("{'service':'auth'}"));
        QCOMPARE(r.status, 202);
        QVERIFY(r.json().value(QStringLiteral("test")).toBool());
        const QJsonArray tests = client.get("/api/alerts?service=auth").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(tests.size(), 1);
        QCOMPARE(tests.at(0).toObject().value(QStringLiteral("reason")).toString(), QStringLiteral("Test alert"));
        QCOMPARE(client.post("/api/test-alert", body("{'service':7}")).status, 400);

        r = client.request("PUT", "/api/rules/" + QByteArray::number(ruleId), body("{'enabled':false}"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("enabled")).toBool(), false);
        const QByteArray apiCsv = client.get("/api/alerts/export.csv").body;
        engine.stop();

        // The command line gives the same report.
        const QString csvPath = m_dir.filePath(QStringLiteral("report.csv"));
        QProcess cli;
        cli.start(QStringLiteral(FLOWGUARD_BIN), {QStringLiteral("export-alerts"), QStringLiteral("--db"), config().dbPath,
                                                 QStringLiteral("--range"), QStringLiteral("7d"), QStringLiteral("--output"), csvPath});
        QVERIFY(cli.waitForFinished(30000));
        QCOMPARE(cli.exitCode(), 0);
        QFile report(csvPath);
        QVERIFY(report.open(QIODevice::ReadOnly));
        const QList<QByteArray> cliRows = report.readAll().split('\n'), apiRows = apiCsv.split('\n');
        QCOMPARE(cliRows.size(), apiRows.size());
        QCOMPARE(cliRows.first(), apiRows.first());
        // Same alerts in the same order (durations of firing alerts grow between the two reads).
        for (qsizetype i = 1; i < cliRows.size(); ++i)
            QCOMPARE(cliRows[i].left(cliRows[i].indexOf(',')), apiRows[i].left(apiRows[i].indexOf(',')));

        // Rules come back after a restart, the edit included.
        Engine again(config());
        QVERIFY2(again.start(&err), qPrintable(err));
        TestHttpClient second(again.port());
        const QJsonArray rules = second.get("/api/rules").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(rules.size(), 6);
        QCOMPARE(rules.last().toObject().value(QStringLiteral("enabled")).toBool(), false);
        QCOMPARE(second.request("DELETE", "/api/rules/" + QByteArray::number(ruleId)).status, 200);
        QCOMPARE(second.get("/api/rules").json().value(QStringLiteral("items")).toArray().size(), 5);
        // The firing alert carried over the restart: still one, still firing.
        const QJsonArray carried = second.get("/api/alerts?service=cart").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(carried.size(), 2);
        for (const QJsonValue &v : carried)
            QCOMPARE(v.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("firing"));
    }

    void channelsDeliverTestAlertsAndKeepSecretsOut()
    {
        RecordingReceiver slack, hook;
        EngineConfig c = config();
        c.dbPath = m_dir.filePath(QStringLiteral("channels.db"));
        c.allowPlaintextSecrets = true; // the keychain path is covered by tst_session
        c.webhookUrl = QString::fromUtf8(hook.url("/env-hook?token=abc"));
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        TestHttpClient client(engine.port());

        HttpReply r = client.post("/api/channels", body("{'type':'slack','name':'oncall'}"));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("url"));
        QCOMPARE(client.post("/api/channels", body("{'type':'email','name':'m','url':'smtp://h','to':'not-an-address'}")).status, 400);
        const QByteArray slackUrl = slack.url("/services/T000/B000/XXXX");
        // "target" is accepted as the URL too.
        r = client.post("/api/channels", "{\"type\":\"webhook\",\"name\":\"via-target\",\"target\":\"" + hook.url("/t") + "\"}");
        QCOMPARE(r.status, 201);
        QCOMPARE(deleteChannel(client, r.json().value(QStringLiteral("id")).toInteger()), 200);
        r = client.post("/api/channels", "{\"type\":\"slack\",\"name\":\"oncall\",\"url\":\"" + slackUrl + "\"}");
        QCOMPARE(r.status, 201);
        const qint64 channelId = r.json().value(QStringLiteral("id")).toInteger();
        QCOMPARE(r.json().value(QStringLiteral("target")).toString(), QStringLiteral("http://127.0.0.1:%1/…").arg(slack.port()));
        QCOMPARE(client.post("/api/channels", "{\"type\":\"slack\",\"name\":\"oncall\",\"url\":\"" + slackUrl + "\"}").status, 409);

        // Secrets appear nowhere in answers; the plaintext file is the user's alone.
        const QByteArray everything = client.get("/api/channels").body + client.get("/api/config").body;
        QVERIFY(!everything.contains("XXXX"));
        QVERIFY(!everything.contains("token=abc"));
        QVERIFY(client.get("/api/config").json().value(QStringLiteral("webhook_url")).toString().contains(QStringLiteral("redacted")));
        const QJsonArray channels = client.get("/api/channels").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(channels.size(), 2); // the API's and the environment's
        QFile secrets(c.dbPath + QStringLiteral(".secrets.json"));
        QVERIFY(secrets.exists());
        QCOMPARE(secrets.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        QCOMPARE(client.request("DELETE", "/api/channels/-1").status, 409); // from the environment

        r = client.post("/api/test-alert", body("{'service':'auth'}"));
        QCOMPARE(r.status, 202);
        const QByteArray alertPath = "/api/alerts/" + QByteArray::number(r.json().value(QStringLiteral("id")).toInteger());
        QTRY_VERIFY_WITH_TIMEOUT(slack.requests().size() == 1 && hook.requests().size() == 1, 10000);
        const QJsonObject slackBody = QJsonDocument::fromJson(slack.requests().front().body).object();
        QVERIFY(slackBody.value(QStringLiteral("text")).toString().startsWith(QStringLiteral("[TEST] auth")));
        // Links point at the port actually bound (the configuration said 0).
        QVERIFY2(slack.requests().front().body.contains("http://127.0.0.1:" + QByteArray::number(engine.port()) + "/alerts/"),
                 slack.requests().front().body.constData());
        QCOMPARE(hook.requests().front().path, QByteArray("/env-hook"));
        const QJsonObject am = QJsonDocument::fromJson(hook.requests().front().body).object();
        QCOMPARE(am.value(QStringLiteral("version")).toString(), QStringLiteral("4"));
        QCOMPARE(am.value(QStringLiteral("alerts")).toArray().at(0).toObject().value(QStringLiteral("labels")).toObject()
                     .value(QStringLiteral("test")).toString(), QStringLiteral("true"));
        QJsonObject detail;
        QTRY_VERIFY_WITH_TIMEOUT((detail = client.get(alertPath).json()).value(QStringLiteral("channels")).toArray().size() == 2, 5000);
        const QJsonArray deliveries = detail.value(QStringLiteral("deliveries")).toArray();
        QCOMPARE(deliveries.size(), 2);
        for (const QJsonValue &d : deliveries) {
            QCOMPARE(d.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("delivered"));
            QVERIFY(!d.toObject().value(QStringLiteral("notified_at")).toString().isEmpty());
        }
        QVERIFY(detail.value(QStringLiteral("test")).toBool());
        QCOMPARE(detail.value(QStringLiteral("notified_at")).toObject().keys(), (QStringList{QStringLiteral("oncall"), QStringLiteral("webhook")}));

        r = client.request("PUT", "/api/channels/" + QByteArray::number(channelId), body("{'enabled':false}"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("enabled")).toBool(), false);
        engine.stop();

        // After a restart the channel and its secret come back.
        Engine again(c);
        QVERIFY2(again.start(&err), qPrintable(err));
        TestHttpClient second(again.port());
        const QJsonArray restored = second.get("/api/channels").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(restored.size(), 2);
        bool found = false;
        for (const QJsonValue &v : restored)
            if (v.toObject().value(QStringLiteral("id")).toInteger() == channelId) {
                found = true;
                QCOMPARE(v.toObject().value(QStringLiteral("target")).toString(), QStringLiteral("http://127.0.0.1:%1/…").arg(slack.port()));
                QCOMPARE(v.toObject().value(QStringLiteral("enabled")).toBool(), false);
            }
        QVERIFY(found);
        QCOMPARE(second.request("DELETE", "/api/channels/" + QByteArray::number(channelId)).status, 200);
        QFile after(c.dbPath + QStringLiteral(".secrets.json"));
        QVERIFY(after.open(QIODevice::ReadOnly));
        QVERIFY(!after.readAll().contains("XXXX"));
    }

    void privateTargetsAreRefusedUnlessAllowed()
    {
        RecordingReceiver hook;
        EngineConfig c = config();
        c.dbPath = m_dir.filePath(QStringLiteral("targets.db"));
        c.allowPlaintextSecrets = true;
        c.allowPrivateTargets = false;
        {
            Engine engine(c);
            QString err;
            QVERIFY2(engine.start(&err), qPrintable(err));
            TestHttpClient client(engine.port());
            QCOMPARE(client.get("/api/config").json().value(QStringLiteral("allow_private_targets")).toBool(), false);
            const QByteArray targets[] = {hook.url("/h"), "http://localhost:" + QByteArray::number(hook.port()) + "/h",
                                          "http://[::1]:9/h", "http://169.254.169.254/latest/meta-data",
                                          "http://10.1.2.3/h", "http://[fd00::1]/h", "http://0.0.0.0:9/h"};
            for (const QByteArray &target : targets) {
                const HttpReply r = client.post("/api/channels", "{\"type\":\"webhook\",\"name\":\"h\",\"url\":\"" + target + "\"}");
                QVERIFY2(r.status == 422, target.constData());
                const QJsonObject e = r.json();
                QCOMPARE(e.value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("url"));
                QVERIFY(e.value(QStringLiteral("message")).toString().contains(QStringLiteral("--allow-private-targets")));
            }
            // Slack and SMTP URLs likewise, and an update may not point an existing channel there either.
            QCOMPARE(client.post("/api/channels", "{\"type\":\"slack\",\"name\":\"s\",\"url\":\"" + hook.url() + "\"}").status, 422);
            QCOMPARE(client.post("/api/channels", body("{'type':'email','name':'m','url':'smtp://127.0.0.1:25','to':'a@b.c'}")).status, 422);
            HttpReply r = client.post("/api/channels", body("{'type':'webhook','name':'pub','url':'https://hooks.example.com/x'}"));
            QCOMPARE(r.status, 201);
            const QByteArray path = "/api/channels/" + QByteArray::number(r.json().value(QStringLiteral("id")).toInteger());
            QCOMPARE(client.request("PUT", path, "{\"url\":\"" + hook.url() + "\"}").status, 422);
        }
        c.allowPrivateTargets = true;
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        TestHttpClient client(engine.port());
        QCOMPARE(client.get("/api/config").json().value(QStringLiteral("allow_private_targets")).toBool(), true);
        QCOMPARE(client.post("/api/channels", "{\"type\":\"webhook\",\"name\":\"h\",\"url\":\"" + hook.url("/h") + "\"}").status, 201);
    }

    void secretFlagsWarnAndSecretsComeFromFiles()
    {
        QFile slack(m_dir.filePath(QStringLiteral("slack-url")));
        QVERIFY(slack.open(QIODevice::WriteOnly));
        slack.write("https://hooks.slack.com/services/T/B/x\n");
        slack.close();
        QProcessEnvironment env;
        env.insert(QStringLiteral("FLOWGUARD_SLACK_WEBHOOK_URL_FILE"), slack.fileName());
        env.insert(QStringLiteral("FLOWGUARD_ALLOW_PRIVATE_TARGETS"), QStringLiteral("1"));
        ConfigResult r = resolveConfig({{QStringLiteral("webhook-url"), QStringLiteral("https://hooks.example.com/x")}}, env, nullptr);
        QVERIFY2(r.errors.isEmpty(), qPrintable(r.errors.join(QLatin1Char('\n'))));
        QCOMPARE(r.config.webhookUrl, QStringLiteral("https://hooks.example.com/x"));
        QCOMPARE(r.config.slackWebhookUrl, QStringLiteral("https://hooks.slack.com/services/T/B/x"));
        QCOMPARE(r.config.sources.value(QStringLiteral("slack-webhook-url")), QStringLiteral("file"));
        QVERIFY(r.config.allowPrivateTargets);
        // Only the flag is warned about, naming the variables to use instead.
        QCOMPARE(r.warnings.size(), 1);
        QVERIFY(r.warnings.first().contains(QStringLiteral("--webhook-url")));
        QVERIFY(r.warnings.first().contains(QStringLiteral("FLOWGUARD_WEBHOOK_URL_FILE")));
        // The environment beats a file; an unreadable file is an error naming its variable.
        env.insert(QStringLiteral("FLOWGUARD_SLACK_WEBHOOK_URL"), QStringLiteral("https://hooks.slack.com/services/T/B/y"));
        env.insert(QStringLiteral("FLOWGUARD_SMTP_URL_FILE"), m_dir.filePath(QStringLiteral("missing")));
        r = resolveConfig({}, env, nullptr);
        QCOMPARE(r.config.slackWebhookUrl, QStringLiteral("https://hooks.slack.com/services/T/B/y"));
        QVERIFY(r.warnings.isEmpty());
        QCOMPARE(r.errors.size(), 1);
        QVERIFY(r.errors.first().startsWith(QStringLiteral("FLOWGUARD_SMTP_URL_FILE: cannot read")));
        // A channel from the environment that targets loopback is warned about at start.
        QProcessEnvironment local;
        local.insert(QStringLiteral("FLOWGUARD_WEBHOOK_URL"), QStringLiteral("http://127.0.0.1:9/hook"));
        r = resolveConfig({}, local, nullptr);
        QCOMPARE(r.warnings.size(), 1);
        QVERIFY(r.warnings.first().contains(QStringLiteral("loopback address")));
        local.insert(QStringLiteral("FLOWGUARD_ALLOW_PRIVATE_TARGETS"), QStringLiteral("true"));
        QVERIFY(resolveConfig({}, local, nullptr).warnings.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstAlertApi)
#include "tst_alertapi.moc"
