#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <atomic>

#include "demotraffic.h"
#include "api/apierror.h"
#include "config/engineconfig.h"
#include "engine/engine.h"
#include "ingest/httpresponder.h"
#include "ingest/httpserver.h"
#include "ingest/inflightbudget.h"
#include "ingest/listenertls.h"
#include "testhttpclient.h"

using namespace fg;

namespace {

// tests/data: a self-signed RSA certificate for localhost and 127.0.0.1 with its key, and an EC one whose
// key is encrypted (passphrase in tls-ec-key-passphrase.txt); valid until 2126.
QString data(const char *name) { return QStringLiteral(FLOWGUARD_TEST_DATA "/") + QLatin1String(name); }

TlsFiles rsaFiles() { return {data("tls-rsa-cert.pem"), data("tls-rsa-key.pem"), {}}; }

// Answers every request 200; with a non-empty `closingBody`, that body and then closes the connection.
class CountingHandler final : public RequestHandler {
public:
    std::optional<HttpResponse> admit(HttpRequest &) override { return std::nullopt; }
    void handle(HttpRequest &&, HttpResponder responder) override
    {
        ++handled;
        HttpResponse r = jsonResponse(200, QJsonObject{});
        if (!closingBody.isEmpty()) {
            r.body = closingBody;
            r.close = true;
        }
        responder.send(r);
    }
    HttpResponse transportError(int status, const QString &message) override { return apiError(status, message); }
    int handled = 0;
    QByteArray closingBody;
};

// Trusts the test certificate and nothing else.
QSslConfiguration trustingTestCertificate()
{
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setCaCertificates(QSslCertificate::fromPath(data("tls-rsa-cert.pem")));
    return ssl;
}

struct Reply {
    int status = 0;
    QJsonObject json;
    QString error;
};

} // namespace

// HTTPS on the listener: certificate and key checks at start, ingest and queries over TLS, and the slow
// and wrong clients a TLS port meets.
class TstTls : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;
    QNetworkAccessManager m_network;

    Reply https(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QNetworkRequest request(QUrl(QStringLiteral("https://127.0.0.1:%1%2").arg(m_port).arg(path)));
        request.setSslConfiguration(trustingTestCertificate());
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished())
            done.wait(15000);
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.json = QJsonDocument::fromJson(reply->readAll()).object();
        r.error = reply->error() == QNetworkReply::NoError ? QString() : reply->errorString();
        reply->deleteLater();
        return r;
    }

    qint64 handshakeFailures()
    {
        return https("GET", QStringLiteral("/api/health"))
            .json.value(QStringLiteral("tls"))
            .toObject()
            .value(QStringLiteral("handshake_failures"))
            .toInteger(-1);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_network.setProxy(QNetworkProxy::NoProxy);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("tls.db"));
        c.retentionSeconds = 0;
        c.tlsCertPath = rsaFiles().certPath;
        c.tlsKeyPath = rsaFiles().keyPath;
        m_engine = std::make_unique<Engine>(c);
        QString error;
        QVERIFY2(m_engine->start(&error), qPrintable(error));
        m_port = m_engine->port();
        QCOMPARE(m_engine->baseUrl(), QStringLiteral("https://127.0.0.1:%1").arg(m_port));
    }
    void cleanupTestCase() { m_engine.reset(); }

    void loadsRsaAndEncryptedEcKeys()
    {
        QString error;
        QStringList warnings;
        const auto rsa = loadServerTls(rsaFiles(), &error, &warnings);
        QVERIFY2(rsa, qPrintable(error));
        QCOMPARE(rsa->privateKey().algorithm(), QSsl::Rsa);
        QCOMPARE(rsa->protocol(), QSsl::TlsV1_2OrLater);
        QVERIFY(warnings.isEmpty());
        const auto ec = loadServerTls({data("tls-ec-cert.pem"), data("tls-ec-key-encrypted.pem"), data("tls-ec-key-passphrase.txt")},
                                      &error, &warnings);
        QVERIFY2(ec, qPrintable(error));
        QCOMPARE(ec->privateKey().algorithm(), QSsl::Ec);
    }

    void refusesUnusableFiles()
    {
        struct Case {
            TlsFiles files;
            const char *says;
        };
        QFile passphrase(m_dir.filePath(QStringLiteral("wrong-passphrase")));
        QVERIFY(passphrase.open(QIODevice::WriteOnly));
        passphrase.write("not-it\n");
        passphrase.close();
        const Case cases[] = {
            {{data("tls-rsa-cert.pem"), data("tls-ec-key-encrypted.pem"), data("tls-ec-key-passphrase.txt")}, "does not belong"},
            {{data("tls-ec-cert.pem"), data("tls-ec-key-encrypted.pem"), {}}, "give --tls-key-passphrase-file"},
            {{data("tls-ec-cert.pem"), data("tls-ec-key-encrypted.pem"), passphrase.fileName()}, "wrong passphrase"},
            {{data("no-such-cert.pem"), data("tls-rsa-key.pem"), {}}, "cannot read the TLS certificate"},
            {{data("tls-rsa-key.pem"), data("tls-rsa-key.pem"), {}}, "holds no PEM certificate"},
            {{data("tls-rsa-cert.pem"), data("tls-rsa-cert.pem"), {}}, "cannot be read"},
        };
        for (const Case &c : cases) {
            QString error;
            QStringList warnings;
            QVERIFY2(!loadServerTls(c.files, &error, &warnings), c.says);
            QVERIFY2(error.contains(QLatin1String(c.says)), qPrintable(error));
        }
        // The engine does not start on them, and says why.
        EngineConfig config;
        config.listenPort = 0;
        config.dbPath = m_dir.filePath(QStringLiteral("refused.db"));
        config.tlsCertPath = data("tls-rsa-cert.pem");
        config.tlsKeyPath = data("tls-ec-key-encrypted.pem");
        config.tlsKeyPassphrasePath = data("tls-ec-key-passphrase.txt");
        Engine refused(config);
        QString error;
        QVERIFY(!refused.start(&error));
        QVERIFY2(error.contains(QStringLiteral("does not belong to the certificate")), qPrintable(error));
    }

    void certificateAndKeyComeTogether()
    {
        const ConfigResult certOnly = resolveConfig({{QStringLiteral("tls-cert"), data("tls-rsa-cert.pem")}}, {}, nullptr);
        QCOMPARE(certOnly.errors.size(), 1);
        QVERIFY2(certOnly.errors[0].startsWith(QStringLiteral("--tls-cert needs --tls-key")), qPrintable(certOnly.errors[0]));
        QProcessEnvironment env;
        env.insert(QStringLiteral("FLOWGUARD_TLS_KEY"), data("tls-rsa-key.pem"));
        const ConfigResult keyOnly = resolveConfig({}, env, nullptr);
        QCOMPARE(keyOnly.errors.size(), 1);
        QVERIFY2(keyOnly.errors[0].startsWith(QStringLiteral("FLOWGUARD_TLS_KEY needs --tls-cert")), qPrintable(keyOnly.errors[0]));
        const ConfigResult passphraseOnly =
            resolveConfig({{QStringLiteral("tls-key-passphrase-file"), data("tls-ec-key-passphrase.txt")}}, {}, nullptr);
        QCOMPARE(passphraseOnly.errors.size(), 1);
        env.insert(QStringLiteral("FLOWGUARD_TLS_CERT"), data("tls-rsa-cert.pem"));
        const ConfigResult both = resolveConfig({}, env, nullptr);
        QVERIFY(both.errors.isEmpty());
        QVERIFY(both.config.tls());
        QCOMPARE(both.config.toJson().value(QStringLiteral("tls")).toBool(), true);
    }

    void ingestAndQueryOverHttps()
    {
        const Reply stored = https("POST", QStringLiteral("/api/ingest/logs"), kIssueExample);
        QVERIFY2(stored.error.isEmpty(), qPrintable(stored.error));
        QCOMPARE(stored.status, 202);
        QCOMPARE(stored.json.value(QStringLiteral("accepted")).toInt(), 1);
        const Reply read = https("GET", QStringLiteral("/api/logs?service=auth"));
        QCOMPARE(read.status, 200);
        const QJsonArray items = read.json.value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 1);
        QCOMPARE(items[0].toObject().value(QStringLiteral("status_code")).toInt(), 500);
        const Reply health = https("GET", QStringLiteral("/api/health"));
        QCOMPARE(health.json.value(QStringLiteral("tls")).toObject().value(QStringLiteral("enabled")).toBool(), true);
    }

    void webSocketIngestOverWss()
    {
        QWebSocket ws;
        ws.setSslConfiguration(trustingTestCertificate());
        QList<QJsonObject> acks;
        connect(&ws, &QWebSocket::textMessageReceived, this,
                [&acks](const QString &text) { acks.append(QJsonDocument::fromJson(text.toUtf8()).object()); });
        QSignalSpy connected(&ws, &QWebSocket::connected);
        ws.open(QUrl(QStringLiteral("wss://127.0.0.1:%1/ws").arg(m_port)));
        QVERIFY(connected.wait(10000) || connected.size() == 1);
        ws.sendTextMessage(QStringLiteral("{\"type\":\"log\",\"id\":\"w1\",\"data\":{\"service\":\"wss-ingest\",\"message\":\"hi\"}}"));
        QTRY_COMPARE_WITH_TIMEOUT(acks.size(), 1, 10000);
        QCOMPARE(acks[0].value(QStringLiteral("type")).toString(), QStringLiteral("ack"));
        QCOMPARE(acks[0].value(QStringLiteral("id")).toString(), QStringLiteral("w1"));
        // Acknowledged means stored.
        QCOMPARE(https("GET", QStringLiteral("/api/logs?service=wss-ingest")).json.value(QStringLiteral("items")).toArray().size(), 1);
        ws.close();
    }

    void demoTrafficTrustsTheServedCertificate()
    {
        // The in-process demo reaches an HTTPS listener over loopback with its own certificate pinned.
        inject::DemoTraffic::Options options;
        options.url = QUrl(QStringLiteral("https://127.0.0.1:%1").arg(m_port));
        options.pinnedCertificate = QSslCertificate::fromPath(rsaFiles().certPath).value(0);
        options.servicePrefix = QStringLiteral("tlsdemo-");
        options.services = 2;
        options.backfillMs = 10 * 60 * 1000;
        options.liveMs = 0;
        options.accelerated = true;
        inject::DemoTraffic demo(options);
        demo.start();
        QTRY_VERIFY_WITH_TIMEOUT(!demo.running(), 60000);
        const inject::DemoTraffic::Totals totals = demo.totals();
        QVERIFY2(totals.events > 0 && totals.accepted == totals.events,
                 qPrintable(QStringLiteral("%1 of %2 accepted: %3").arg(totals.accepted).arg(totals.events).arg(totals.lastError)));
    }

    void untrustedCertificateIsRefusedByClients()
    {
        // The listener really presents the test certificate: a client trusting only the system CAs refuses
        // it, and the listener counts the handshake that did not complete.
        const qint64 before = handshakeFailures();
        QNetworkRequest request(QUrl(QStringLiteral("https://127.0.0.1:%1/api/health").arg(m_port)));
        QNetworkReply *reply = m_network.get(request);
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(reply->isFinished() || done.wait(15000));
        QCOMPARE(reply->error(), QNetworkReply::SslHandshakeFailedError);
        reply->deleteLater();
        QTRY_COMPARE_WITH_TIMEOUT(handshakeFailures(), before + 1, 5000);
    }

    void plainHttpToTheTlsPortIsAnswered400()
    {
        const qint64 before = handshakeFailures();
        QVERIFY(before >= 0);
        TestHttpClient plain(m_port);
        const HttpReply r = plain.post("/api/ingest/logs", "{\"service\":\"plaintext\",\"message\":\"x\"}");
        QCOMPARE(r.status, 400);
        QVERIFY2(r.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("https://")), r.body.constData());
        QTRY_COMPARE_WITH_TIMEOUT(handshakeFailures(), before + 1, 5000);
        QCOMPARE(https("GET", QStringLiteral("/api/logs?service=plaintext")).json.value(QStringLiteral("items")).toArray().size(), 0);
    }

    void curlWithTheCertificate()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
            QSKIP("curl is not installed");
        QProcess curl;
        curl.start(QStringLiteral("curl"), {QStringLiteral("-sS"), QStringLiteral("--cacert"), data("tls-rsa-cert.pem"),
                                            QStringLiteral("-o"), QStringLiteral("/dev/null"), QStringLiteral("-w"),
                                            QStringLiteral("%{http_code} %{ssl_verify_result}"), QStringLiteral("-H"),
                                            QStringLiteral("Content-Type: application/json"), QStringLiteral("-d"),
                                            QStringLiteral("{\"service\":\"curl-tls\"}"),
                                            QStringLiteral("https://localhost:%1/api/ingest/logs").arg(m_port)});
        QVERIFY(curl.waitForFinished(15000));
        QCOMPARE(QString::fromUtf8(curl.readAllStandardOutput()), QStringLiteral("202 0"));
    }

    void silentClientsAreDroppedAtTheHeadDeadline()
    {
        CountingHandler handler;
        InflightBudget budget(16 * 1024 * 1024);
        HttpLimits limits;
        limits.headerTimeoutMs = 1000;
        limits.maxConnectionsPerAddress = 2;
        std::atomic<std::int64_t> failures{0};
        HttpServer server(&handler, &budget, limits);
        QString error;
        QStringList warnings;
        const auto tls = loadServerTls(rsaFiles(), &error, &warnings);
        QVERIFY2(tls, qPrintable(error));
        server.enableTls(*tls, &failures);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));

        // Two clients that connect and never start a handshake fill this address's slots…
        QTcpSocket silent[2];
        QElapsedTimer t;
        t.start();
        for (QTcpSocket &s : silent)
            s.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 2, 2000);
        // …so a third is closed at once,
        QTcpSocket third;
        third.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QTRY_COMPARE_WITH_TIMEOUT(third.state(), QAbstractSocket::UnconnectedState, 1000);
        QVERIFY(t.elapsed() < 1000);
        QCOMPARE(silent[0].state(), QAbstractSocket::ConnectedState);
        // and both are dropped once the head deadline (1 s, checked every second) has passed.
        QTRY_VERIFY_WITH_TIMEOUT(silent[0].state() == QAbstractSocket::UnconnectedState
                                     && silent[1].state() == QAbstractSocket::UnconnectedState,
                                 4000);
        QVERIFY2(t.elapsed() >= 1000 && t.elapsed() < 3000, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(server.connectionCount(), 0);
        QCOMPARE(failures.load(), 2);

        // Plain HTTP is answered 400 in plain text and closed, long before the deadline; nothing reaches the
        // handler.
        QTcpSocket plain;
        plain.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(plain.waitForConnected(2000));
        t.restart();
        plain.write("POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\n{}");
        QTRY_COMPARE_WITH_TIMEOUT(plain.state(), QAbstractSocket::UnconnectedState, 2000);
        QVERIFY(t.elapsed() < 1000);
        QVERIFY(plain.readAll().startsWith("HTTP/1.1 400"));
        QCOMPARE(failures.load(), 3);
        QCOMPARE(handler.handled, 0);

        // Bytes that are neither TLS nor a request line are closed without an answer.
        QTcpSocket garbage;
        garbage.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(garbage.waitForConnected(2000));
        garbage.write("\x01\x02\x03");
        QTRY_COMPARE_WITH_TIMEOUT(garbage.state(), QAbstractSocket::UnconnectedState, 2000);
        QVERIFY(garbage.readAll().isEmpty());
        QCOMPARE(failures.load(), 4);

        // The slots are free again, and a TLS client is served.
        QSslSocket client;
        client.setSslConfiguration(trustingTestCertificate());
        client.connectToHostEncrypted(QStringLiteral("localhost"), server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(client.isEncrypted(), 5000);
        QVERIFY(client.sessionProtocol() == QSsl::TlsV1_2 || client.sessionProtocol() == QSsl::TlsV1_3);
        client.write("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(client.bytesAvailable() > 0, 5000);
        QVERIFY(client.readAll().startsWith("HTTP/1.1 200"));
        QCOMPARE(handler.handled, 1);
        QCOMPARE(failures.load(), 4);
    }

    void closingAnswerArrivesWhole()
    {
        // A closing answer larger than the socket buffers: the connection is shut only once the encrypted
        // bytes are sent, not once they are encrypted.
        CountingHandler handler;
        handler.closingBody = QByteArray(8 * 1024 * 1024, 'x');
        InflightBudget budget(16 * 1024 * 1024);
        std::atomic<std::int64_t> failures{0};
        HttpServer server(&handler, &budget, HttpLimits{});
        QString error;
        QStringList warnings;
        const auto tls = loadServerTls(rsaFiles(), &error, &warnings);
        QVERIFY2(tls, qPrintable(error));
        server.enableTls(*tls, &failures);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QSslSocket client;
        client.setSslConfiguration(trustingTestCertificate());
        QByteArray received;
        connect(&client, &QSslSocket::readyRead, this, [&] { received += client.readAll(); });
        client.connectToHostEncrypted(QStringLiteral("localhost"), server.serverPort());
        QTRY_VERIFY_WITH_TIMEOUT(client.isEncrypted(), 5000);
        client.write("GET /big HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::UnconnectedState, 20000);
        received += client.readAll();
        const qsizetype head = received.indexOf("\r\n\r\n");
        QVERIFY2(received.startsWith("HTTP/1.1 200") && head > 0, qPrintable(QStringLiteral("%1 bytes: %2 / %3").arg(received.size()).arg(QString::fromLatin1(received.left(100))).arg(client.errorString())));
        QCOMPARE(received.size() - head - 4, handler.closingBody.size());
    }
};

QTEST_GUILESS_MAIN(TstTls)
#include "tst_tls.moc"
