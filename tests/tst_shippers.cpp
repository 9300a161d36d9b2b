#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QUdpSocket>
#include <QTemporaryDir>
#include <QTest>

#include "engine/engine.h"
#include "ingest/syslogmessage.h"
#include "testhttpclient.h"

using namespace fg;

// What log shippers send, over real sockets into a real engine (listener on port 0, SQLite file), read
// back through the query API: the Elasticsearch _bulk subset and its probes, and syslog over UDP and TCP
// (also from util-linux's logger).
class TstShippers : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;

    QJsonArray logs(const QByteArray &service)
    {
        TestHttpClient c(m_port);
        return c.get("/api/logs?service=" + service).json().value(QStringLiteral("items")).toArray();
    }
    static QString str(const QJsonValue &v, const char *key) { return v.toObject().value(QLatin1String(key)).toString(); }
    HttpReply bulk(const QByteArray &target, const QByteArray &body, const QByteArray &extraHeader = {})
    {
        TestHttpClient c(m_port);
        TestHttpClient::Headers headers{{"Content-Type", "application/x-ndjson"}};
        if (!extraHeader.isEmpty())
            headers.append({extraHeader.left(extraHeader.indexOf(':')), extraHeader.mid(extraHeader.indexOf(':') + 1).trimmed()});
        return c.request("POST", target, body, headers);
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("shippers.db"));
        c.retentionSeconds = 0;
        c.syslogPort = -1; // any free port
        m_engine = std::make_unique<Engine>(c);
        QString err;
        QVERIFY2(m_engine->start(&err), qPrintable(err));
        m_port = m_engine->port();
        QVERIFY(m_engine->syslogPort() != 0);
    }
    void cleanupTestCase() { m_engine.reset(); }

    void elasticProbes()
    {
        TestHttpClient c(m_port);
        HttpReply r = c.get("/");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-elastic-product"), QByteArray("Elasticsearch"));
        QCOMPARE(r.json().value(QStringLiteral("version")).toObject().value(QStringLiteral("number")).toString(), QStringLiteral("8.11.0"));
        QCOMPARE(r.json().value(QStringLiteral("tagline")).toString(), QStringLiteral("You Know, for Search"));
        r = c.request("HEAD", "/_cat/health", {}, {});
        QCOMPARE(r.status, 200);
        r = c.get("/_cluster/health");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("status")).toString(), QStringLiteral("green"));
        QCOMPARE(c.request("DELETE", "/_cluster/health", {}, {}).status, 405);
    }

    void elasticBulkPerItemResults()
    {
        const QByteArray body =
            "{\"create\":{\"_index\":\"logs-checkout\"}}\n"
            "{\"@timestamp\":\"2026-01-01T00:00:00.123Z\",\"message\":\"payment gateway timeout after 3000 ms\","
            "\"log\":{\"level\":\"error\"},\"service\":{\"name\":\"es-checkout\"},\"host\":{\"name\":\"web-1\"}}\n"
            "{\"index\":{\"_index\":\"logs-checkout\",\"_type\":\"_doc\",\"_id\":\"x1\"}}\n"
            "{\"@timestamp\":1767225601000,\"msg\":\"retrying\",\"level\":\"warn\",\"app\":\"es-checkout\",\"attempt\":2}\n"
            "{\"delete\":{\"_index\":\"logs-checkout\",\"_id\":\"x0\"}}\n"
            "{\"create\":{\"_index\":\"logs-checkout\"}}\n"
            "{\"@timestamp\":\"2026-01-01T00:00:02Z\",\"service.name\":\"es-checkout\"}\n"
            "{\"update\":{\"_index\":\"logs-checkout\",\"_id\":\"x2\"}}\n"
            "{\"doc\":{\"a\":1}}\n"
            "{\"index\":{}}\n"
            "not json"; // and no final newline
        const HttpReply r = bulk("/_bulk", body);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-elastic-product"), QByteArray("Elasticsearch"));
        const QJsonObject json = r.json();
        QCOMPARE(json.value(QStringLiteral("errors")).toBool(), true);
        const QJsonArray items = json.value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 6);
        auto status = [&](int i, const char *action) {
            return items[i].toObject().value(QLatin1String(action)).toObject().value(QStringLiteral("status")).toInt();
        };
        QCOMPARE(status(0, "create"), 201);
        QCOMPARE(status(1, "index"), 201);
        QCOMPARE(status(2, "delete"), 404);
        QCOMPARE(status(3, "create"), 400);
        const QJsonObject error = items[3].toObject().value(QStringLiteral("create")).toObject().value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("mapper_parsing_exception"));
        QCOMPARE(error.value(QStringLiteral("field")).toString(), QStringLiteral("message"));
        QCOMPARE(status(4, "update"), 200);
        QCOMPARE(status(5, "index"), 400);

        const QJsonArray stored = logs("es-checkout");
        QCOMPARE(stored.size(), 2);
        const QJsonValue warn = stored[0], err = stored[1]; // newest first
        QCOMPARE(str(err, "message"), QStringLiteral("payment gateway timeout after 3000 ms"));
        QCOMPARE(str(err, "level"), QStringLiteral("ERROR"));
        QCOMPARE(str(err, "ts"), QStringLiteral("2026-01-01T00:00:00.123Z"));
        QCOMPARE(err.toObject().value(QStringLiteral("attributes")).toObject().value(QStringLiteral("host")).toObject()
                     .value(QStringLiteral("name")).toString(), QStringLiteral("web-1"));
        QCOMPARE(str(warn, "level"), QStringLiteral("WARN"));
        QCOMPARE(str(warn, "ts"), QStringLiteral("2026-01-01T00:00:01.000Z"));
        QCOMPARE(warn.toObject().value(QStringLiteral("attributes")).toObject().value(QStringLiteral("attempt")).toInt(), 2);
    }

    void elasticIndexInUrlAndGzip()
    {
        const QByteArray body = "{\"index\":{}}\n{\"message\":\"from fluent bit\",\"level\":\"info\"}\n"
                                "{\"index\":{}}\n{\"log\":\"second line\"}\n";
        const HttpReply r = bulk("/es-fluent/_bulk", gzip(body), "Content-Encoding: gzip");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("errors")).toBool(), false);
        const QJsonArray stored = logs("es-fluent");
        QCOMPARE(stored.size(), 2);
        QCOMPARE(str(stored[0], "message"), QStringLiteral("second line"));
    }

    void elasticMalformedActionsStoreNothing()
    {
        HttpReply r = bulk("/_bulk", "{\"index\":{}}\n{\"message\":\"ok\",\"service\":\"es-bad\"}\n{\"frobnicate\":{}}\n{}\n");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("body"));
        QVERIFY(r.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("reason")).toString().contains(QStringLiteral("line 3")));
        r = bulk("/_bulk", "[1,2,3]\n");
        QCOMPARE(r.status, 400);
        TestHttpClient c(m_port);
        QCOMPARE(c.request("POST", "/_bulk", "{}", {{"Content-Type", "application/xml"}}).status, 415);
        QCOMPARE(logs("es-bad").size(), 0);
        QCOMPARE(c.get("/_bulk").status, 405);
    }

    void syslogMessageParsing()
    {
        const TimeNs received = nowNs();
        LogRecord r;
        ItemError e;
        QVERIFY(parseSyslogMessage("<131>1 2026-01-01T00:00:00.123Z web-1 checkout 4242 PAY [meta@32473 route=\"/pay\" "
                                   "note=\"a \\\"quoted\\\" \\] value\"] payment gateway timeout after 3000 ms",
                                   received, r, e));
        QCOMPARE(QString::fromStdString(r.service), QStringLiteral("checkout"));
        QCOMPARE(r.level, Level::Error);
        QCOMPARE(QString::fromStdString(formatIsoMs(r.ts)), QStringLiteral("2026-01-01T00:00:00.123Z"));
        QCOMPARE(QString::fromStdString(r.message), QStringLiteral("payment gateway timeout after 3000 ms"));
        const QJsonObject attrs = QJsonDocument::fromJson(QByteArray::fromStdString(r.attributes)).object();
        QCOMPARE(attrs.value(QStringLiteral("facility")).toString(), QStringLiteral("local0"));
        QCOMPARE(attrs.value(QStringLiteral("host")).toString(), QStringLiteral("web-1"));
        QCOMPARE(attrs.value(QStringLiteral("procid")).toString(), QStringLiteral("4242"));
        QCOMPARE(attrs.value(QStringLiteral("msgid")).toString(), QStringLiteral("PAY"));
        const QJsonObject sd = attrs.value(QStringLiteral("sd")).toObject().value(QStringLiteral("meta@32473")).toObject();
        QCOMPARE(sd.value(QStringLiteral("route")).toString(), QStringLiteral("/pay"));
        QCOMPARE(sd.value(QStringLiteral("note")).toString(), QStringLiteral("a \"quoted\" ] value"));

        // RFC 3164, with a space-padded day; local time of this year.
        r = {};
        QVERIFY(parseSyslogMessage("<12>Jan  5 10:20:30 host-2 cron[77]: job done", received, r, e));
        QCOMPARE(QString::fromStdString(r.service), QStringLiteral("cron"));
        QCOMPARE(r.level, Level::Warn);
        QCOMPARE(QString::fromStdString(r.message), QStringLiteral("job done"));
        const QDateTime local = QDateTime::fromMSecsSinceEpoch(r.ts / kNsPerMs);
        QCOMPARE(local.date().month(), 1);
        QCOMPARE(local.date().day(), 5);
        QCOMPARE(local.time(), QTime(10, 20, 30));
        QVERIFY(r.ts <= received + 86400 * kNsPerSec);
        // Neither form: the whole text is the message, at receive time.
        r = {};
        QVERIFY(parseSyslogMessage("<14>just some text", received, r, e));
        QCOMPARE(QString::fromStdString(r.message), QStringLiteral("just some text"));
        QCOMPARE(QString::fromStdString(r.service), QStringLiteral("syslog"));
        QCOMPARE(r.ts, received);
        // Refused, naming the field.
        QVERIFY(!parseSyslogMessage("<999>1 - - - - - - x", received, r, e));
        QCOMPARE(QString::fromStdString(e.field), QStringLiteral("pri"));
        QVERIFY(!parseSyslogMessage("<13>1 yesterday h a - - - x", received, r, e));
        QCOMPARE(QString::fromStdString(e.field), QStringLiteral("timestamp"));
        QVERIFY(!parseSyslogMessage("<13>1 - h a - - [broken x", received, r, e));
        QCOMPARE(QString::fromStdString(e.field), QStringLiteral("structured_data"));
    }

    void syslogFraming()
    {
        // Octet counting and LF framing mixed, fed a byte at a time.
        const QByteArray stream = "11 <13>1 - - a\n<13>second\r\n\n<13>third\n";
        SyslogFramer framer(64);
        QList<QByteArray> messages;
        for (char c : stream) {
            framer.append(&c, 1);
            QByteArray m;
            for (auto r = framer.next(&m); r == SyslogFramer::Result::Message; r = framer.next(&m))
                messages.append(m);
        }
        QCOMPARE(messages, (QList<QByteArray>{"<13>1 - - a", "<13>second", "<13>third"}));
        SyslogFramer small(16);
        QByteArray m;
        small.append("99 x", 4);
        QCOMPARE(small.next(&m), SyslogFramer::Result::TooLarge);
        SyslogFramer line(16);
        const QByteArray longLine(40, 'x');
        line.append(longLine.constData(), longLine.size());
        QCOMPARE(line.next(&m), SyslogFramer::Result::TooLarge);
        SyslogFramer bad(16);
        bad.append("12x", 3);
        QCOMPARE(bad.next(&m), SyslogFramer::Result::Bad);
    }

    void syslogOverUdpAndTcp()
    {
        const quint16 port = m_engine->syslogPort();
        QUdpSocket udp;
        const QByteArray datagram = "<131>1 2026-01-01T00:00:00.123Z web-1 sys-udp 4242 PAY - payment gateway timeout";
        QCOMPARE(udp.writeDatagram(datagram, QHostAddress::LocalHost, port), qint64(datagram.size()));
        QCOMPARE(udp.writeDatagram(QByteArray("<999>1 - - sys-udp - - - refused"), QHostAddress::LocalHost, port), qint64(32));
        QTRY_COMPARE_WITH_TIMEOUT(logs("sys-udp").size(), 1, 5000);
        QCOMPARE(str(logs("sys-udp")[0], "level"), QStringLiteral("ERROR"));

        QTcpSocket tcp;
        tcp.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(tcp.waitForConnected(5000));
        const QByteArray one = "<134>1 - web-2 sys-tcp - - - first over tcp";
        const QByteArray framed = QByteArray::number(one.size()) + " " + one + "<131>Jan  5 10:20:30 web-2 sys-tcp: second\n";
        tcp.write(framed.left(10));
        QVERIFY(tcp.waitForBytesWritten(5000));
        QTest::qWait(50);
        tcp.write(framed.mid(10));
        QVERIFY(tcp.waitForBytesWritten(5000));
        QTRY_COMPARE_WITH_TIMEOUT(logs("sys-tcp").size(), 2, 5000);
        // A message over the size limit ends the stream; nothing of it is stored.
        tcp.write("70000 <13>1 - - sys-tcp - - - ");
        QVERIFY(tcp.waitForDisconnected(5000));
        QTest::qWait(200);
        QCOMPARE(logs("sys-tcp").size(), 2);
        // The refused datagram is counted.
        TestHttpClient c(m_port);
        QVERIFY(c.get("/metrics").body.contains("flowguard_ingest_rejected_total{protocol=\"syslog\",signal=\"logs\"} 1"));
    }

    void syslogSenderClosingWhileStoreBehindLosesNothing()
    {
        // Regression: a TCP sender that closed while its messages waited (the store behind) lost them.
        auto stored = [&] {
            const QByteArray m = TestHttpClient(m_port).get("/metrics").body;
            const QByteArray key = "flowguard_events_total{protocol=\"syslog\",signal=\"logs\"} ";
            const qsizetype at = m.indexOf(key);
            return at < 0 ? -1LL : m.mid(at + key.size(), m.indexOf('\n', at) - at - key.size()).toLongLong();
        };
        const qint64 before = stored();
        QVERIFY(before >= 0);
        constexpr int kMessages = 30'000;
        QByteArray stream;
        for (int i = 0; i < kMessages; ++i) {
            const QByteArray m = "<134>1 - web-3 sys-burst - - - burst message " + QByteArray::number(i);
            stream += QByteArray::number(m.size()) + ' ' + m;
        }
        QTcpSocket tcp;
        tcp.connectToHost(QHostAddress::LocalHost, m_engine->syslogPort());
        QVERIFY(tcp.waitForConnected(5000));
        tcp.write(stream);
        while (tcp.bytesToWrite() > 0)
            QVERIFY(tcp.waitForBytesWritten(10000));
        tcp.disconnectFromHost();
        QTRY_COMPARE_WITH_TIMEOUT(stored() - before, qint64(kMessages), 30000);
    }

    void loggerSendsToSyslog()
    {
        const QString port = QString::number(m_engine->syslogPort());
        auto run = [](const QStringList &args) {
            QProcess p;
            p.start(QStringLiteral("logger"), args);
            return p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
        };
        QVERIFY(run({QStringLiteral("-n"), QStringLiteral("127.0.0.1"), QStringLiteral("-P"), port, QStringLiteral("-d"),
                     QStringLiteral("--rfc5424"), QStringLiteral("-t"), QStringLiteral("logger-udp"), QStringLiteral("-p"),
                     QStringLiteral("local0.err"), QStringLiteral("payment timeout")}));
        QVERIFY(run({QStringLiteral("-n"), QStringLiteral("127.0.0.1"), QStringLiteral("-P"), port, QStringLiteral("-T"),
                     QStringLiteral("--octet-count"), QStringLiteral("-t"), QStringLiteral("logger-tcp"), QStringLiteral("-p"),
                     QStringLiteral("user.warning"), QStringLiteral("disk almost full")}));
        QVERIFY(run({QStringLiteral("-n"), QStringLiteral("127.0.0.1"), QStringLiteral("-P"), port, QStringLiteral("-T"),
                     QStringLiteral("--rfc3164"), QStringLiteral("-t"), QStringLiteral("logger-bsd"), QStringLiteral("old style")}));
        QTRY_COMPARE_WITH_TIMEOUT(logs("logger-udp").size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(logs("logger-tcp").size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(logs("logger-bsd").size(), 1, 5000);
        const QJsonValue udp = logs("logger-udp")[0], tcp = logs("logger-tcp")[0], bsd = logs("logger-bsd")[0];
        QCOMPARE(str(udp, "message"), QStringLiteral("payment timeout"));
        QCOMPARE(str(udp, "level"), QStringLiteral("ERROR"));
        // logger's own structured data, kept as attributes.
        QVERIFY(udp.toObject().value(QStringLiteral("attributes")).toObject().value(QStringLiteral("sd")).toObject()
                    .contains(QStringLiteral("timeQuality")));
        QCOMPARE(str(tcp, "message"), QStringLiteral("disk almost full"));
        QCOMPARE(str(tcp, "level"), QStringLiteral("WARN"));
        QCOMPARE(str(bsd, "message"), QStringLiteral("old style"));
    }
    void rsyslogRelaysToSyslogAndBulk()
    {
        // Debian's rsyslog as users run it beside FlowGuard: messages from a local socket relayed over TCP
        // syslog (RFC 5424, octet-counted) and through omelasticsearch to _bulk.
        const QString rsyslogd = QStringLiteral("/usr/sbin/rsyslogd");
        if (!QFile::exists(rsyslogd) || !QFile::exists(QStringLiteral("/usr/lib/x86_64-linux-gnu/rsyslog/omelasticsearch.so")))
            QSKIP("rsyslog and rsyslog-elasticsearch are not installed (tools/bootstrap.sh installs them)");
        QTemporaryDir dir;
        const QString conf = dir.filePath(QStringLiteral("rsyslog.conf")), socket = dir.filePath(QStringLiteral("log.sock"));
        QFile f(conf);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral(
                    "global(workDirectory=\"%1\")\n"
                    "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
                    "input(type=\"imuxsock\" Socket=\"%2\")\n"
                    "module(load=\"omelasticsearch\")\n"
                    "template(name=\"fg\" type=\"list\" option.jsonf=\"on\") {\n"
                    "  property(outname=\"@timestamp\" name=\"timereported\" dateFormat=\"rfc3339\" format=\"jsonf\")\n"
                    "  property(outname=\"severity\" name=\"syslogseverity-text\" format=\"jsonf\")\n"
                    "  property(outname=\"service\" name=\"programname\" format=\"jsonf\")\n"
                    "  property(outname=\"message\" name=\"msg\" position.from=\"2\" format=\"jsonf\")\n"
                    "}\n"
                    "if $programname == 'rsyslog-relay' then action(type=\"omfwd\" target=\"127.0.0.1\" port=\"%3\" "
                    "protocol=\"tcp\" TCP_Framing=\"octet-counted\" template=\"RSYSLOG_SyslogProtocol23Format\")\n"
                    "if $programname == 'rsyslog-bulk' then action(type=\"omelasticsearch\" server=\"127.0.0.1\" "
                    "serverport=\"%4\" template=\"fg\" searchIndex=\"rsyslog\" bulkmode=\"on\")\n")
                    .arg(dir.path(), socket)
                    .arg(m_engine->syslogPort())
                    .arg(m_port)
                    .toUtf8());
        f.close();
        QProcess daemon;
        daemon.setProcessChannelMode(QProcess::MergedChannels);
        daemon.start(rsyslogd, {QStringLiteral("-n"), QStringLiteral("-f"), conf, QStringLiteral("-i"),
                                dir.filePath(QStringLiteral("rsyslogd.pid"))});
        QVERIFY2(daemon.waitForStarted(5000), qPrintable(daemon.errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(socket), 10000);
        auto send = [&](const QString &tag, const QString &priority, const QString &text) {
            QProcess p;
            p.start(QStringLiteral("logger"), {QStringLiteral("-u"), socket, QStringLiteral("-t"), tag,
                                               QStringLiteral("-p"), priority, text});
            return p.waitForFinished(10000) && p.exitCode() == 0;
        };
        QVERIFY(send(QStringLiteral("rsyslog-relay"), QStringLiteral("local0.err"), QStringLiteral("payment timeout via rsyslog")));
        QVERIFY(send(QStringLiteral("rsyslog-bulk"), QStringLiteral("user.warning"), QStringLiteral("disk almost full via omelasticsearch")));
        QTRY_COMPARE_WITH_TIMEOUT(logs("rsyslog-relay").size(), 1, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(logs("rsyslog-bulk").size(), 1, 15000);
        daemon.terminate();
        QVERIFY(daemon.waitForFinished(10000));
        const QJsonValue relayed = logs("rsyslog-relay")[0], bulked = logs("rsyslog-bulk")[0];
        QCOMPARE(str(relayed, "message"), QStringLiteral("payment timeout via rsyslog"));
        QCOMPARE(str(relayed, "level"), QStringLiteral("ERROR"));
        QCOMPARE(str(bulked, "message"), QStringLiteral("disk almost full via omelasticsearch"));
        QCOMPARE(str(bulked, "level"), QStringLiteral("WARN"));
        QCOMPARE(bulked.toObject().value(QStringLiteral("attributes")).toObject().value(QStringLiteral("_index")).toString(),
                 QStringLiteral("rsyslog"));
    }
};

QTEST_MAIN(TstShippers)
#include "tst_shippers.moc"
