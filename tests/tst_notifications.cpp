#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <future>

#include "alerting/delivery/notificationmessages.h"
#include "alerting/notificationdispatcher.h"
#include "recordingreceiver.h"
#include "store/sqlitestorereader.h"
#include "store/sqlitestorewriter.h"

using namespace fg;

namespace {
constexpr TimeNs kT0 = 1'764'000'000LL * kNsPerSec;

Alert alert(std::int64_t id, const std::string &service, const std::string &reason)
{
    Alert a;
    a.id = id;
    a.ruleId = 5;
    a.service = service;
    a.reason = reason;
    a.level = AlertLevel::Critical;
    a.state = Alert::State::Firing;
    a.pendingSince = a.firedAt = kT0;
    a.explanation = service + ": error rate 7.2 % (rule: > 5 %) over 5 min; <b> & co.";
    a.updated = kT0;
    return a;
}

Channel channel(std::int64_t id, Channel::Type type, const std::string &name)
{
    Channel c;
    c.id = id;
    c.type = type;
    c.name = name;
    return c;
}

// The receivers here listen on loopback, which only --allow-private-targets lets channels reach.
NotificationDispatcher::Options loopback()
{
    NotificationDispatcher::Options o;
    o.allowPrivateTargets = true;
    return o;
}

WriteOutcome submitAndWait(StoreWriter &w, std::unique_ptr<WriteJob> job)
{
    std::promise<WriteOutcome> done;
    auto outcome = done.get_future();
    job->done = [&done](const WriteOutcome &o) { done.set_value(o); };
    w.submit(std::move(job));
    return outcome.get();
}

// Alerts and their notifications, queued as the alert evaluator would.
void queue(StoreWriter &w, const std::vector<Alert> &alerts, const std::vector<std::int64_t> &channels, TimeNs wall,
           NotificationIntent::Kind kind = NotificationIntent::Kind::Firing)
{
    auto job = std::make_unique<WriteJob>();
    for (const Alert &a : alerts) {
        job->alerts.alerts.push_back(a);
        job->alerts.notifications.push_back({a.id, kind, channels, wall, wall});
    }
    QVERIFY(submitAndWait(w, std::move(job)).ok);
}

// openssl makes a throwaway certificate for 127.0.0.1.
bool makeCertificate(const QString &dir)
{
    QProcess p;
    p.start(QStringLiteral("openssl"), {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                                        QStringLiteral("-nodes"), QStringLiteral("-keyout"), dir + QStringLiteral("/key.pem"),
                                        QStringLiteral("-out"), dir + QStringLiteral("/cert.pem"), QStringLiteral("-days"), QStringLiteral("1"),
                                        QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                                        QStringLiteral("subjectAltName=IP:127.0.0.1")});
    return p.waitForFinished(30000) && p.exitCode() == 0;
}
} // namespace

// Notification delivery against real receivers on loopback: an HTTP server standing in for Slack and
// webhook receivers, and a real SMTP server (aiosmtpd) with STARTTLS and AUTH.
class TstNotifications : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SqliteStoreWriter> m_writer;
    QString m_db;
    int m_dbs = 0;

    void openStore()
    {
        m_db = m_dir.filePath(QStringLiteral("n%1.db").arg(++m_dbs));
        StoreOptions o;
        o.path = m_db.toStdString();
        m_writer = std::make_unique<SqliteStoreWriter>(o);
        std::string err;
        QVERIFY2(m_writer->start(&err), err.c_str());
    }
    std::function<std::unique_ptr<StoreReader>()> readers()
    {
        return [path = m_db.toStdString()] { return std::make_unique<SqliteStoreReader>(path); };
    }
    std::vector<Delivery> deliveries(std::int64_t alertId) { return SqliteStoreReader(m_db.toStdString()).deliveries(alertId); }

private slots:
    void init() { openStore(); }
    void cleanup()
    {
        m_writer->stop();
        m_writer.reset();
    }

    void payloadsFollowTheReceiversFormats()
    {
        OutgoingNotification n;
        n.alerts = {alert(42, "checkout", "High error rate"), alert(43, "checkout", "Degradation")};
        n.channel = "oncall";
        n.baseUrl = "http://flowguard.local:4318";
        n.now = kT0 + 600 * kNsPerSec;
        const QJsonObject slack = QJsonDocument::fromJson(QByteArray::fromStdString(slackPayload(n))).object();
        QCOMPARE(slack.value(QStringLiteral("text")).toString(), QStringLiteral("[FIRING] checkout: High error rate (+1 more)"));
        const QJsonArray blocks = slack.value(QStringLiteral("blocks")).toArray();
        QCOMPARE(blocks.at(0).toObject().value(QStringLiteral("type")).toString(), QStringLiteral("header"));
        const QString why = blocks.at(2).toObject().value(QStringLiteral("text")).toObject().value(QStringLiteral("text")).toString();
        QVERIFY2(why.contains(QStringLiteral("&lt;b&gt; &amp; co.")), qPrintable(why)); // mrkdwn escaping
        const QString context = QString::fromUtf8(QJsonDocument(blocks.at(3).toObject()).toJson());
        QVERIFY(context.contains(QStringLiteral("<http://flowguard.local:4318/alerts/42|alert 42>")));

        const QJsonObject am = QJsonDocument::fromJson(QByteArray::fromStdString(alertmanagerPayload(n))).object();
        QCOMPARE(am.value(QStringLiteral("version")).toString(), QStringLiteral("4"));
        QCOMPARE(am.value(QStringLiteral("status")).toString(), QStringLiteral("firing"));
        QCOMPARE(am.value(QStringLiteral("receiver")).toString(), QStringLiteral("oncall"));
        const QJsonObject first = am.value(QStringLiteral("alerts")).toArray().at(0).toObject();
        QCOMPARE(first.value(QStringLiteral("labels")).toObject().value(QStringLiteral("alertname")).toString(), QStringLiteral("High error rate"));
        QCOMPARE(first.value(QStringLiteral("labels")).toObject().value(QStringLiteral("severity")).toString(), QStringLiteral("critical"));
        QCOMPARE(first.value(QStringLiteral("endsAt")).toString(), QStringLiteral("0001-01-01T00:00:00Z"));
        QCOMPARE(first.value(QStringLiteral("generatorURL")).toString(), QStringLiteral("http://flowguard.local:4318/alerts/42"));
        QCOMPARE(first.value(QStringLiteral("fingerprint")).toString().size(), 16);

        n.kind = NotificationIntent::Kind::Resolved;
        n.alerts.resize(1);
        n.alerts[0].state = Alert::State::Resolved;
        n.alerts[0].resolvedAt = kT0 + 25 * 60 * kNsPerSec;
        QCOMPARE(QString::fromStdString(notificationTitle(n)), QStringLiteral("[RESOLVED] checkout: High error rate after 25 min"));
        const std::string mail = emailMessage(n, "flowguard@example.org", {"ops@example.org"});
        QVERIFY(mail.find("\r\nSubject: =?UTF-8?B?") != std::string::npos);
        QVERIFY(mail.find("Content-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
        QVERIFY(mail.find("\n.") == std::string::npos || mail.find("\r\n\r\n") != std::string::npos);
    }

    void retriesAfterAReceiverOutageAndSurvivesARestart()
    {
        RecordingReceiver receiver;
        ChannelBook book;
        book.set({channel(7, Channel::Type::Webhook, "hook")});
        book.setSecret(7, receiver.url().toStdString());
        TimeNs now = kT0;
        NotificationDispatcher::Options o = loopback();
        o.baseUrl = "http://127.0.0.1:4318";
        o.clock = [&now] { return now; };
        queue(*m_writer, {alert(1, "checkout", "High error rate")}, {7}, now);
        receiver.failNext(2);
        {
            NotificationDispatcher d(m_writer.get(), readers(), &book, o);
            QCOMPARE(d.runOnce(), 1);
            std::vector<Delivery> state = deliveries(1);
            QCOMPARE(state.front().state, std::string("pending"));
            QCOMPARE(state.front().attempts, 1);
            QCOMPARE(state.front().nextAttempt, now + 30 * kNsPerSec); // back-off
            QVERIFY(state.front().lastError.find("HTTP 503") != std::string::npos);
            QCOMPARE(d.runOnce(), 0); // not due yet
        }
        // FlowGuard exits; the notification waits in the outbox for the next start.
        now += 31 * kNsPerSec;
        NotificationDispatcher d(m_writer.get(), readers(), &book, o);
        QCOMPARE(d.runOnce(), 1);
        QCOMPARE(deliveries(1).front().attempts, 2);
        now += 61 * kNsPerSec;
        QCOMPARE(d.runOnce(), 1);
        const Delivery done = deliveries(1).front();
        QCOMPARE(done.state, std::string("delivered"));
        QCOMPARE(done.deliveredAt, now);
        QCOMPARE(receiver.requests().size(), std::size_t(3));
        QCOMPARE(receiver.requests().back().contentType, QByteArray("application/json"));
        const auto stored = SqliteStoreReader(m_db.toStdString()).alert(1);
        QCOMPARE(stored->channels, std::vector<std::string>{"hook"});
    }

    void refusedDeliveriesFailWithoutRetrying()
    {
        RecordingReceiver receiver;
        ChannelBook book;
        book.set({channel(7, Channel::Type::Slack, "slack")});
        book.setSecret(7, receiver.url("/services/T/B/revoked").toStdString());
        receiver.failNext(1, 0, 404);
        queue(*m_writer, {alert(1, "checkout", "High error rate")}, {7}, kT0);
        NotificationDispatcher d(m_writer.get(), readers(), &book, loopback());
        QCOMPARE(d.runOnce(), 1);
        const Delivery failed = deliveries(1).front();
        QCOMPARE(failed.state, std::string("failed"));
        QVERIFY(failed.lastError.find("HTTP 404") != std::string::npos);
    }

    void oneServicesAlertsGoOutTogetherAndStormsAreCapped()
    {
        RecordingReceiver receiver;
        ChannelBook book;
        book.set({channel(7, Channel::Type::Webhook, "hook")});
        book.setSecret(7, receiver.url().toStdString());
        TimeNs now = kT0;
        NotificationDispatcher::Options o = loopback();
        o.stormLimit = 2;
        o.clock = [&now] { return now; };
        NotificationDispatcher d(m_writer.get(), readers(), &book, o);
        queue(*m_writer, {alert(1, "checkout", "a"), alert(2, "checkout", "b"), alert(3, "checkout", "c")}, {7}, now);
        QCOMPARE(d.runOnce(), 3);
        QCOMPARE(receiver.requests().size(), std::size_t(1)); // grouped
        const QJsonObject grouped = QJsonDocument::fromJson(receiver.requests().front().body).object();
        QCOMPARE(grouped.value(QStringLiteral("alerts")).toArray().size(), 3);
        // Services are separate notifications; the storm limit (2 per window) then holds back the rest.
        queue(*m_writer, {alert(4, "auth", "a")}, {7}, now);
        QCOMPARE(d.runOnce(), 1);
        queue(*m_writer, {alert(5, "billing", "a")}, {7}, now);
        QCOMPARE(d.runOnce(), 1);
        QCOMPARE(deliveries(5).front().state, std::string("suppressed"));
        QCOMPARE(receiver.requests().size(), std::size_t(3)); // 2 + one storm summary
        QVERIFY(receiver.requests().back().body.contains("billing"));
        queue(*m_writer, {alert(6, "search", "a")}, {7}, now);
        QCOMPARE(d.runOnce(), 1);
        QCOMPARE(receiver.requests().size(), std::size_t(3)); // one summary per window
        now += 11 * 60 * kNsPerSec;
        queue(*m_writer, {alert(7, "search", "b")}, {7}, now);
        QCOMPARE(d.runOnce(), 1);
        QCOMPARE(deliveries(7).front().state, std::string("delivered"));
    }

    void emailOverStartTlsWithAuthentication()
    {
        const QString dir = m_dir.filePath(QStringLiteral("smtp"));
        QVERIFY(QDir().mkpath(dir + QStringLiteral("/mail")));
        QVERIFY(makeCertificate(dir));
        QProcess server;
        server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        server.start(QStringLiteral("/usr/bin/python3"),
                     {QStringLiteral(TESTS_DIR "/support/smtp_receiver.py"), dir + QStringLiteral("/port"), dir + QStringLiteral("/mail"),
                      dir + QStringLiteral("/cert.pem"), dir + QStringLiteral("/key.pem"), QStringLiteral("ana"), QStringLiteral("s3cret")});
        QVERIFY(server.waitForStarted(10000));
        QFile portFile(dir + QStringLiteral("/port"));
        QTRY_VERIFY_WITH_TIMEOUT(portFile.exists(), 20000);
        QVERIFY(portFile.open(QIODevice::ReadOnly));
        const QByteArray port = portFile.readAll().trimmed();

        ChannelBook book;
        Channel mail = channel(9, Channel::Type::Email, "mail");
        mail.to = {"ops@example.org", "lead@example.org"};
        mail.from = "flowguard@example.org";
        mail.caFile = (dir + QStringLiteral("/cert.pem")).toStdString();
        book.set({mail});
        book.setSecret(9, "smtp://ana:s3cret@127.0.0.1:" + port.toStdString());
        Alert a = alert(1, "checkout", "Hög felfrekvens"); // UTF-8 in the subject
        queue(*m_writer, {a}, {9}, kT0);
        NotificationDispatcher::Options o = loopback();
        o.timeoutMs = 4000;
        NotificationDispatcher d(m_writer.get(), readers(), &book, o);
        QCOMPARE(d.runOnce(), 1);
        const Delivery sent = deliveries(1).front();
        QVERIFY2(sent.state == "delivered", sent.lastError.c_str());
        QFile eml(dir + QStringLiteral("/mail/1.eml")), env(dir + QStringLiteral("/mail/1.env"));
        QVERIFY(eml.open(QIODevice::ReadOnly) && env.open(QIODevice::ReadOnly));
        const QByteArray message = eml.readAll();
        QCOMPARE(env.readAll(), QByteArray("flowguard@example.org\nops@example.org\nlead@example.org\n"));
        const int at = message.indexOf("Subject: =?UTF-8?B?") + 19;
        const QByteArray subject = QByteArray::fromBase64(message.mid(at, message.indexOf("?=", at) - at));
        QCOMPARE(QString::fromUtf8(subject), QStringLiteral("[FIRING] checkout: Hög felfrekvens"));
        QVERIFY(message.contains("error rate 7.2 %"));

        // Wrong credentials never go out in clear and the server refuses them: the delivery does not succeed.
        book.setSecret(9, "smtp://ana:wrong@127.0.0.1:" + port.toStdString());
        queue(*m_writer, {alert(2, "checkout", "x")}, {9}, kT0);
        QCOMPARE(d.runOnce(), 1);
        QVERIFY(deliveries(2).front().state != "delivered");
        server.kill();
        server.waitForFinished();
    }

    void aNameResolvingToAForbiddenAddressIsRefusedAtDelivery()
    {
        // The API refuses such URLs; this is the check after DNS (rebinding, or a URL from the environment).
        RecordingReceiver receiver;
        ChannelBook book;
        Channel mail = channel(8, Channel::Type::Email, "mail");
        mail.to = {"ops@example.org"};
        book.set({channel(7, Channel::Type::Webhook, "hook"), mail});
        const std::string port = std::to_string(receiver.port());
        book.setSecret(7, "http://localhost:" + port + "/hook");
        book.setSecret(8, "smtp://localhost:" + port);
        queue(*m_writer, {alert(1, "checkout", "x")}, {7, 8}, kT0);
        NotificationDispatcher d(m_writer.get(), readers(), &book, {});
        QCOMPARE(d.runOnce(), 2);
        for (const Delivery &failed : deliveries(1)) {
            QCOMPARE(failed.state, std::string("failed")); // not retried
            QVERIFY2(failed.lastError.find("refused to connect: ") != std::string::npos, failed.lastError.c_str());
            QVERIFY(failed.lastError.find("loopback address") != std::string::npos);
            QVERIFY(failed.lastError.find("--allow-private-targets") != std::string::npos);
        }
        QCOMPARE(receiver.requests().size(), std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TstNotifications)
#include "tst_notifications.moc"
