#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/sqlitedb.h"
#include "store/sqlitestorereader.h"
#include "testhttpclient.h"

using namespace fg;

// Drives the real `flowguard` binary: start-up lines, exit codes, clean shutdown and crash durability.
class TstProcess : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_home;

    QProcessEnvironment env(bool withDisplay = false) const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("HOME"), m_home.path());
        e.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        e.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
        if (!withDisplay) {
            e.remove(QStringLiteral("DISPLAY"));
            e.remove(QStringLiteral("WAYLAND_DISPLAY"));
            e.remove(QStringLiteral("QT_QPA_PLATFORM"));
        }
        for (const QString &k : e.keys())
            if (k.startsWith(QStringLiteral("FLOWGUARD_")))
                e.remove(k);
        return e;
    }

    // Starts flowguard and returns the port from its first stdout line, 0 on failure.
    quint16 start(QProcess &p, const QStringList &args, const QProcessEnvironment &environment)
    {
        p.setProcessEnvironment(environment);
        p.start(QStringLiteral(FLOWGUARD_BIN), args);
        if (!p.waitForStarted(10000))
            return 0;
        while (!p.canReadLine())
            if (!p.waitForReadyRead(15000))
                return 0;
        const QString line = QString::fromUtf8(p.readLine()).trimmed();
        static const QRegularExpression re(QStringLiteral("^listening on 127\\.0\\.0\\.1:(\\d+)$"));
        const auto m = re.match(line);
        return m.hasMatch() ? quint16(m.captured(1).toUInt()) : 0;
    }

    // Starts flowguard and returns its first stdout line (empty on failure).
    QString firstLine(QProcess &p, const QStringList &args)
    {
        p.setProcessEnvironment(env());
        p.start(QStringLiteral(FLOWGUARD_BIN), args);
        if (!p.waitForStarted(10000))
            return {};
        while (!p.canReadLine())
            if (!p.waitForReadyRead(15000))
                return {};
        return QString::fromUtf8(p.readLine()).trimmed();
    }

    // Stops a started flowguard and returns its stderr.
    static QString stop(QProcess &p)
    {
        p.terminate();
        p.waitForFinished(15000);
        return QString::fromUtf8(p.readAllStandardError());
    }

    // Runs flowguard expecting it to fail at start; returns its stderr.
    QString failingRun(const QStringList &args, int *exitCode)
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(QStringLiteral(FLOWGUARD_BIN), args);
        if (!p.waitForFinished(15000)) {
            p.kill();
            p.waitForFinished();
            *exitCode = -1;
            return {};
        }
        *exitCode = p.exitCode();
        return QString::fromUtf8(p.readAllStandardError()).trimmed();
    }

private slots:
    void headlessRunsAndStopsCleanlyOnSigterm()
    {
        const QString db = m_home.filePath(QStringLiteral("clean.db"));
        QProcess p;
        const quint16 port = start(p, {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                       QStringLiteral("--db"), db},
                                   env());
        QVERIFY(port);
        TestHttpClient c(port);
        QCOMPARE(c.post("/api/ingest/logs", kIssueExample).status, 202);
        p.terminate();
        QVERIFY(p.waitForFinished(15000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardError().contains("stopped cleanly"));
        QVERIFY(!QFileInfo::exists(db + QStringLiteral(".lock")));

        // Restart on the same database: the data is there.
        QProcess again;
        const quint16 port2 = start(again, {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                            QStringLiteral("--db"), db},
                                    env());
        QVERIFY(port2);
        TestHttpClient c2(port2);
        const HttpReply listed = c2.get("/api/logs?service=auth");
        QVERIFY2(listed.json().value(QStringLiteral("items")).toArray().size() == 1, listed.body.constData());
        again.terminate();
        QVERIFY(again.waitForFinished(15000));
    }

    void noDisplayFallsBackToHeadless()
    {
        QProcess p;
        const quint16 port = start(p, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"),
                                       m_home.filePath(QStringLiteral("nodisplay.db"))},
                                   env(false));
        QVERIFY(port);
        p.terminate();
        QVERIFY(p.waitForFinished(15000));
        QVERIFY(p.readAllStandardError().contains("no display found, running headless"));
        QCOMPARE(p.exitCode(), 0);
    }

    void windowStartsOffscreen()
    {
        QProcessEnvironment e = env(true);
        e.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        QProcess p;
        const quint16 port = start(p, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"),
                                       m_home.filePath(QStringLiteral("window.db"))},
                                   e);
        QVERIFY(port);
        TestHttpClient c(port);
        QCOMPARE(c.get("/api/ready").status, 200);
        p.terminate();
        QVERIFY(p.waitForFinished(15000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(!p.readAllStandardError().contains("no display"));
    }

    void startupErrorsAreOneClearLine()
    {
        const QString db = m_home.filePath(QStringLiteral("busy.db"));
        QProcess holder;
        const quint16 port = start(holder, {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                            QStringLiteral("--db"), db},
                                   env());
        QVERIFY(port);
        int code = 0;
        QString err = failingRun({QStringLiteral("--headless"), QStringLiteral("--listen"),
                                  QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--db"),
                                  m_home.filePath(QStringLiteral("port.db"))},
                                 &code);
        QVERIFY(code != 0);
        QVERIFY2(err.contains(QStringLiteral("cannot listen")) && !err.contains(QLatin1Char('\n')), qPrintable(err));

        err = failingRun({QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                          QStringLiteral("--db"), db},
                         &code);
        QVERIFY(code != 0);
        QVERIFY2(err.contains(QStringLiteral("already in use")) && !err.contains(QLatin1Char('\n')), qPrintable(err));

        err = failingRun({QStringLiteral("--headless"), QStringLiteral("--db"), QStringLiteral("/proc/no/such/dir/x.db")}, &code);
        QVERIFY(code != 0);
        QVERIFY2(!err.isEmpty() && !err.contains(QLatin1Char('\n')), qPrintable(err));

        err = failingRun({QStringLiteral("--headless"), QStringLiteral("--retention"), QStringLiteral("soon")}, &code);
        QVERIFY(code != 0);
        QVERIFY2(err.contains(QStringLiteral("--retention")), qPrintable(err));
        holder.terminate();
        QVERIFY(holder.waitForFinished(15000));
    }

    void tlsStartsOnlyWithAMatchingCertificateAndKey()
    {
        const QString cert = QStringLiteral(FLOWGUARD_TEST_DATA "/tls-rsa-cert.pem");
        const QString key = QStringLiteral(FLOWGUARD_TEST_DATA "/tls-rsa-key.pem");
        const QStringList tls = {QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key};
        const QStringList base = {QStringLiteral("--headless"), QStringLiteral("--db"), m_home.filePath(QStringLiteral("tls.db"))};
        QProcess p;
        const QString line = firstLine(p, base + tls + QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
        QVERIFY2(QRegularExpression(QStringLiteral("^listening on https://127\\.0\\.0\\.1:\\d+$")).match(line).hasMatch(),
                 qPrintable(line));
        QVERIFY(!stop(p).contains(QStringLiteral("clear text")));

        // Half of TLS, or a key of another certificate: no start, never plain HTTP instead.
        int code = 0;
        QString err = failingRun(base + QStringList{QStringLiteral("--tls-cert"), cert}, &code);
        QCOMPARE(code, 2);
        QVERIFY2(err.contains(QStringLiteral("--tls-cert needs --tls-key")), qPrintable(err));
        err = failingRun(base + QStringList{QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"),
                                            QStringLiteral(FLOWGUARD_TEST_DATA "/tls-ec-key-encrypted.pem"),
                                            QStringLiteral("--tls-key-passphrase-file"),
                                            QStringLiteral(FLOWGUARD_TEST_DATA "/tls-ec-key-passphrase.txt")},
                         &code);
        QCOMPARE(code, 1);
        QVERIFY2(err.contains(QStringLiteral("does not belong to the certificate")) && !err.contains(QLatin1Char('\n')),
                 qPrintable(err));

        // A network listener without TLS warns once that tokens cross the network readable; with TLS it does not.
        const QStringList network = {QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0"), QStringLiteral("--insecure-no-auth")};
        QProcess plain;
        QVERIFY(firstLine(plain, base + network).startsWith(QStringLiteral("listening on 0.0.0.0:")));
        QCOMPARE(stop(plain).count(QStringLiteral("clear text")), 1);
        QProcess secure;
        QVERIFY(firstLine(secure, base + network + tls).startsWith(QStringLiteral("listening on https://0.0.0.0:")));
        QCOMPARE(stop(secure).count(QStringLiteral("clear text")), 0);
    }

    void environmentAndFlagPrecedence()
    {
        // FLOWGUARD_LISTEN names a port that is taken; the flag overrides it.
        QProcessEnvironment e = env();
        e.insert(QStringLiteral("FLOWGUARD_RETENTION"), QStringLiteral("not-a-duration"));
        QProcess p;
        p.setProcessEnvironment(e);
        p.start(QStringLiteral(FLOWGUARD_BIN), {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                                QStringLiteral("--db"), m_home.filePath(QStringLiteral("env.db"))});
        QVERIFY(p.waitForFinished(15000));
        QVERIFY(p.exitCode() != 0);
        QVERIFY(p.readAllStandardError().contains("FLOWGUARD_RETENTION"));

        e.insert(QStringLiteral("FLOWGUARD_RETENTION"), QStringLiteral("3d"));
        e.insert(QStringLiteral("FLOWGUARD_DECODE_THREADS"), QStringLiteral("0"));
        QProcess zero;
        zero.setProcessEnvironment(e);
        zero.start(QStringLiteral(FLOWGUARD_BIN), {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                                   QStringLiteral("--db"), m_home.filePath(QStringLiteral("env.db"))});
        QVERIFY(zero.waitForFinished(15000));
        QVERIFY(zero.exitCode() != 0);
        QVERIFY(zero.readAllStandardError().contains("FLOWGUARD_DECODE_THREADS"));

        e.insert(QStringLiteral("FLOWGUARD_DECODE_THREADS"), QStringLiteral("3"));
        QProcess ok;
        const quint16 port = start(ok, {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                        QStringLiteral("--db"), m_home.filePath(QStringLiteral("env.db")), QStringLiteral("--retention"),
                                        QStringLiteral("2d")},
                                   e);
        QVERIFY(port);
        TestHttpClient c(port);
        QCOMPARE(c.get("/api/config").json().value(QStringLiteral("retention_seconds")).toInteger(), 2 * 86400);
        QCOMPARE(c.get("/api/health").json().value(QStringLiteral("decoding")).toObject().value(QStringLiteral("threads")).toInt(), 3);
        ok.terminate();
        QVERIFY(ok.waitForFinished(15000));
    }

    void replayFindsTheDegradationBesideARunningInstance()
    {
        const QString db = m_home.filePath(QStringLiteral("replay.db"));
        QProcess server;
        const quint16 port = start(server, {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                            QStringLiteral("--db"), db, QStringLiteral("--retention"), QStringLiteral("off")},
                                   env());
        QVERIFY(port);
        TestHttpClient c(port);
        for (const QByteArray &body : latencyCreepTraffic("checkout", true, 3))
            QCOMPARE(c.post("/api/ingest/logs", body, "application/x-ndjson").status, 202);
        for (int i = 0; i < 100 && c.get("/api/kpis?service=checkout&from=2024-01-01T10:00:00Z&to=2024-01-01T12:00:00Z")
                                           .json().value(QStringLiteral("items")).toArray().size() < 110; ++i)
            QThread::msleep(100);
        // Read-only: runs while the instance holds the database.
        QProcess replay;
        replay.setProcessEnvironment(env());
        replay.start(QStringLiteral(FLOWGUARD_BIN), {QStringLiteral("replay"), QStringLiteral("--db"), db,
                                                     QStringLiteral("--service"), QStringLiteral("checkout")});
        QVERIFY(replay.waitForFinished(30000));
        QCOMPARE(replay.exitCode(), 0);
        const QList<QByteArray> lines = replay.readAllStandardOutput().trimmed().split('\n');
        QVERIFY(!lines.isEmpty());
        const QJsonObject first = QJsonDocument::fromJson(lines[0]).object();
        QCOMPARE(first.value(QStringLiteral("service")).toString(), QStringLiteral("checkout"));
        QCOMPARE(first.value(QStringLiteral("kind")).toString(), QStringLiteral("degradation"));
        QVERIFY(first.value(QStringLiteral("started_at")).toString() >= QStringLiteral("2024-01-01T11:00:00.000Z"));
        // The same history gives the same answer the live engine gave.
        const QJsonArray live = c.get("/api/anomalies?service=checkout").json().value(QStringLiteral("items")).toArray();
        bool same = false;
        for (const QJsonValue &v : live)
            same |= v.toObject().value(QStringLiteral("started_at")) == first.value(QStringLiteral("started_at"));
        QVERIFY(same);
        server.terminate();
        QVERIFY(server.waitForFinished(15000));
    }

    void detectScoresCsvCausally()
    {
        // 300 rows of a noisy level with one spike at row 250; timestamps in NAB's format, echoed verbatim.
        auto write = [&](const QString &path, double lastValue) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("timestamp,value\n");
            for (int i = 0; i < 300; ++i) {
                const double v = i == 250 ? 500 : i == 299 ? lastValue : 100 + (i * 37 % 11);
                f.write(QStringLiteral("2015-02-26 %1:%2:00,%3\n").arg(10 + i / 60).arg(i % 60, 2, 10, QLatin1Char('0')).arg(v).toUtf8());
            }
        };
        const QString in1 = m_home.filePath(QStringLiteral("series1.csv")), in2 = m_home.filePath(QStringLiteral("series2.csv"));
        write(in1, 100);
        write(in2, 9999); // differs only in the last row
        auto detect = [&](const QString &in, const QString &out) {
            QProcess p;
            p.setProcessEnvironment(env());
            p.start(QStringLiteral(FLOWGUARD_BIN), {QStringLiteral("detect"), QStringLiteral("--input"), in, QStringLiteral("--output"), out});
            QVERIFY(p.waitForFinished(30000));
            QCOMPARE(p.exitCode(), 0);
        };
        const QString out1 = m_home.filePath(QStringLiteral("scores1.csv")), out2 = m_home.filePath(QStringLiteral("scores2.csv"));
        detect(in1, out1);
        detect(in2, out2);
        QFile f1(out1), f2(out2), src(in1);
        QVERIFY(f1.open(QIODevice::ReadOnly) && f2.open(QIODevice::ReadOnly) && src.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows1 = f1.readAll().trimmed().split('\n'), rows2 = f2.readAll().trimmed().split('\n');
        const QList<QByteArray> input = src.readAll().trimmed().split('\n');
        QCOMPARE(rows1.size(), input.size());
        QCOMPARE(rows1[0], QByteArray("timestamp,value,anomaly_score"));
        int best = 0;
        double bestScore = -1;
        for (int i = 1; i < rows1.size(); ++i) {
            QVERIFY(rows1[i].startsWith(input[i].split(',')[0] + ','));
            const double score = rows1[i].split(',')[2].toDouble();
            QVERIFY(score >= 0 && score <= 1);
            if (score > bestScore) {
                bestScore = score;
                best = i - 1;
            }
            if (i < rows1.size() - 1)
                QCOMPARE(rows1[i], rows2[i]); // causal: a later row changes no earlier score
        }
        QCOMPARE(best, 250);
        int code = 0;
        failingRun({QStringLiteral("detect"), QStringLiteral("--output"), out1}, &code);
        QCOMPARE(code, 2);
        // Ablation: with the point residual (and the range rule, which alone would flag a value never seen
        // before) switched off, the lone spike's score changes.
        const QString out3 = m_home.filePath(QStringLiteral("scores3.csv"));
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(QStringLiteral(FLOWGUARD_BIN), {QStringLiteral("detect"), QStringLiteral("--input"), in1, QStringLiteral("--output"),
                                                out3, QStringLiteral("--without"), QStringLiteral("residual,ewma,range")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QFile f3(out3);
        QVERIFY(f3.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows3 = f3.readAll().trimmed().split('\n');
        QCOMPARE(rows3.size(), rows1.size());
        QVERIFY(rows3[251] != rows1[251]);
        const QString bad = failingRun({QStringLiteral("detect"), QStringLiteral("--input"), in1, QStringLiteral("--output"),
                                           out3, QStringLiteral("--without"), QStringLiteral("cusum,bogus")},
                                          &code);
        QCOMPARE(code, 2);
        QVERIFY2(bad.contains(QStringLiteral("bogus")), qPrintable(bad));
    }

    // Several clients ingest at once; SIGKILL mid-ingest; every acknowledged item must be on disk and
    // no request may be half-committed. Large requests become log chunks at once, the small ones of another
    // service are staged first: both paths are killed mid-flight, and after a restart has sealed what was
    // staged, every acknowledged event is still there exactly once.
    void crashLosesNothingAcknowledged()
    {
        const QString db = m_home.filePath(QStringLiteral("crash.db"));
        QProcess p;
        const quint16 port = start(p, {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                       QStringLiteral("--db"), db},
                                   env());
        QVERIFY(port);
        constexpr int kClients = 5; // the last one sends small requests
        constexpr int kPerBatch = 200;
        constexpr int kPerSmallBatch = 10;
        auto expectedSize = [&](const std::string &batch) { return batch.rfind("c4-", 0) == 0 ? kPerSmallBatch : kPerBatch; };
        std::atomic<bool> stop{false};
        std::mutex mutex;
        std::set<std::string> acked;
        std::vector<std::thread> clients;
        for (int t = 0; t < kClients; ++t) {
            clients.emplace_back([&, t] {
                TestHttpClient c(port);
                for (int b = 0; b < 100000 && !stop; ++b) {
                    const QByteArray batch = "c" + QByteArray::number(t) + "-b" + QByteArray::number(b);
                    QByteArray body = crashBatch(batch, t == kClients - 1 ? kPerSmallBatch : kPerBatch);
                    if (t == kClients - 1)
                        body.replace("\"service\":\"crash\"", "\"service\":\"crash-small\"");
                    const HttpReply r = c.post("/api/ingest/logs", body);
                    if (r.status == 202) {
                        std::lock_guard lock(mutex);
                        acked.insert(batch.toStdString());
                    } else if (r.status == 0) {
                        return; // the server is gone
                    }
                }
            });
        }
        QTest::qWait(1500);
        p.kill(); // SIGKILL while requests are in flight
        QVERIFY(p.waitForFinished(10000));
        stop = true;
        for (auto &t : clients)
            t.join();
        QVERIFY2(acked.size() > 10, "too few acknowledged requests before the kill");

        // Every stored event, staged or in a chunk, counted per request.
        auto storedBatches = [&] {
            SqliteDb check(db.toStdString(), SqliteDb::Mode::ReadWrite); // recovers the WAL like a restart would
            SqliteStoreReader reader(db.toStdString());
            std::map<std::string, std::int64_t> counts;
            std::int64_t after = 0;
            for (;;) {
                const std::vector<StoredLog> rows = reader.logsInCommitOrder(after, std::numeric_limits<std::int64_t>::max(), 10000);
                if (rows.empty())
                    break;
                for (const StoredLog &row : rows)
                    counts[QJsonDocument::fromJson(QByteArray::fromStdString(row.record.attributes))
                               .object().value(QStringLiteral("batch")).toString().toStdString()]++;
                after = rows.back().id;
            }
            return counts;
        };
        auto verify = [&](const std::map<std::string, std::int64_t> &counts) {
            for (const std::string &b : acked)
                QVERIFY2(counts.count(b) && counts.at(b) == expectedSize(b), ("acknowledged batch lost or partial: " + b).c_str());
            for (const auto &[b, n] : counts)
                QVERIFY2(n == expectedSize(b), ("half-committed request: " + b).c_str());
        };
        const auto counts = storedBatches();
        verify(counts);
        qInfo("acknowledged %zu batches, %zu on disk", acked.size(), counts.size());
        std::int64_t ackedEvents = 0;
        for (const std::string &b : acked)
            ackedEvents += expectedSize(b);

        // The crashed instance left a stale lock; a new one starts anyway and sees the data.
        QProcess again;
        const quint16 port2 = start(again, {QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                            QStringLiteral("--db"), db},
                                    env());
        QVERIFY(port2);
        TestHttpClient c(port2);
        const QJsonObject health = c.get("/api/health").json();
        QVERIFY(health.value(QStringLiteral("db")).toObject().value(QStringLiteral("logs")).toInteger() >= ackedEvents);
        // The restart seals the staged rows the crash left behind.
        std::int64_t staged = -1;
        for (int i = 0; i < 100 && staged != 0; ++i) {
            QTest::qWait(100);
            SqliteDb look(db.toStdString(), SqliteDb::Mode::ReadOnly);
            staged = look.queryInt("SELECT count(*) FROM logs");
        }
        QCOMPARE(staged, std::int64_t(0));
        again.terminate();
        QVERIFY(again.waitForFinished(15000));
        verify(storedBatches());
    }
};

QTEST_GUILESS_MAIN(TstProcess)
#include "tst_process.moc"
