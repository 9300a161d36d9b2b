#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include "analysis/levelinference.h"
#include "analysis/logclassifier.h"
#include "analysis/messagefields.h"
#include "analysis/tagger.h"

using namespace fg;

class TstClassifier : public QObject {
    Q_OBJECT

private slots:
    void latency_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<double>("ms");
        QTest::newRow("key=ms") << "Auth failed latency=850ms status=500" << 850.0;
        QTest::newRow("key=s") << "request done duration=1.2s" << 1200.0;
        QTest::newRow("key: unitless") << "latency: 42" << 42.0;
        QTest::newRow("took") << "query took 35 ms" << 35.0;
        QTest::newRow("in") << "GET /x completed in 23ms" << 23.0;
        QTest::newRow("after") << "payment gateway timeout after 3000 ms" << 3000.0;
        QTest::newRow("us") << "elapsed=250us" << 0.25;
        QTest::newRow("quoted") << "response_time=\"17.5ms\"" << 17.5;
        QTest::newRow("upper key") << "LATENCY=9ms" << 9.0;
    }
    void latency()
    {
        QFETCH(QString, message);
        QFETCH(double, ms);
        const std::string text = message.toStdString();
        QCOMPARE(scanMessage(text).latencyMs, ms);
    }

    void noFalseLatency()
    {
        QVERIFY(std::isnan(scanMessage("retrying in 3 attempts").latencyMs));
        QVERIFY(std::isnan(scanMessage("user logged in").latencyMs));
        QVERIFY(std::isnan(scanMessage("timestamp=1704110400").latencyMs));
        QVERIFY(std::isnan(scanMessage("").latencyMs));
    }

    void status()
    {
        QCOMPARE(scanMessage("status=500").statusCode, 500);
        QCOMPARE(scanMessage("upstream returned status_code: 503").statusCode, 503);
        QCOMPARE(scanMessage("status=5000").statusCode, 0);
        QCOMPARE(scanMessage("status=42").statusCode, 0);
        QCOMPARE(scanMessage("processed 500 items").statusCode, 0);
    }

    void accessLogs()
    {
        const std::string combined = R"(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08")";
        const MessageFields f = scanMessage(combined);
        QCOMPARE(QString::fromStdString(f.method), QStringLiteral("GET"));
        QCOMPARE(QString::fromStdString(f.path), QStringLiteral("/apache_pb.gif"));
        QCOMPARE(f.statusCode, 200);
        const MessageFields n = scanMessage(R"(10.1.2.3 - - [25/Nov/2026:20:00:00 +0000] "POST /api/orders HTTP/1.1" 502 157 "-" "curl/7.88.1" rt=0.512s)");
        QCOMPARE(QString::fromStdString(n.method), QStringLiteral("POST"));
        QCOMPARE(QString::fromStdString(n.path), QStringLiteral("/api/orders"));
        QCOMPARE(n.statusCode, 502);
        QCOMPARE(n.latencyMs, 512.0);
        QVERIFY(scanMessage("please get /help").method.empty());
    }

    void levels_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("level");
        QTest::newRow("plain") << "user signed in" << 0 << int(Level::Info);
        QTest::newRow("5xx") << "request served" << 503 << int(Level::Error);
        QTest::newRow("4xx") << "request served" << 404 << int(Level::Warn);
        QTest::newRow("exception class") << "java.lang.NullPointerException at Foo.bar" << 0 << int(Level::Error);
        QTest::newRow("traceback") << "Traceback (most recent call last):" << 0 << int(Level::Error);
        QTest::newRow("failed") << "connection to db FAILED" << 0 << int(Level::Error);
        QTest::newRow("timeout") << "upstream timeout" << 0 << int(Level::Error);
        QTest::newRow("panic") << "panic: runtime error: index out of range" << 0 << int(Level::Fatal);
        QTest::newRow("warning") << "Warning: disk 91% full" << 0 << int(Level::Warn);
        QTest::newRow("retry") << "retrying request" << 0 << int(Level::Warn);
        QTest::newRow("not a substring") << "terror movie night; stderr redirected" << 0 << int(Level::Info);
    }
    void levels()
    {
        QFETCH(QString, message);
        QFETCH(int, status);
        QFETCH(int, level);
        QCOMPARE(int(inferLevel(message.toStdString(), status)), level);
    }

    void builtinAndUserTags()
    {
        TagRules rules({TagRule{"payments", {"card declined", "payment"}, 0}});
        auto tags = [&](const char *message, int status = 0) {
            LogRecord r;
            r.message = message;
            r.statusCode = status;
            QStringList out;
            for (const std::string &t : rules.tagsFor(r))
                out << QString::fromStdString(t);
            return out.join(QLatin1Char(','));
        };
        QCOMPARE(tags("upstream timed out after 3000 ms"), QStringLiteral("timeout"));
        QCOMPARE(tags("SQL deadlock detected; login failed", 503), QStringLiteral("5xx,auth,db"));
        QCOMPARE(tags("java.lang.OutOfMemoryError: Java heap space"), QStringLiteral("oom"));
        QCOMPARE(tags("Card Declined for order 7"), QStringLiteral("payments"));
        QCOMPARE(tags("payments batch done"), QString()); // whole words only
        QCOMPARE(tags("all good"), QString());
        QString field, message;
        QVERIFY(!TagRules::rulesFromJson(QJsonObject{{QStringLiteral("rules"), QJsonArray{QJsonObject{{QStringLiteral("tag"), QStringLiteral("x")}}}}},
                                         &field, &message));
        QCOMPARE(field, QStringLiteral("rules[0]"));
    }

    void enrichFillsOnlyWhatIsMissing()
    {
        LogClassifier c;
        LogRecord r;
        r.message = "Auth failed latency=850ms status=500";
        c.enrich(r);
        QCOMPARE(r.latencyMs, 850.0);
        QCOMPARE(r.statusCode, 500);
        QCOMPARE(r.level, Level::Error);

        LogRecord given;
        given.message = "GET /a HTTP/1.1 latency=5ms status=200";
        given.latencyMs = 7;
        given.statusCode = 201;
        given.level = Level::Debug;
        given.endpoint = "/given";
        c.enrich(given);
        QCOMPARE(given.latencyMs, 7.0);
        QCOMPARE(given.statusCode, 201);
        QCOMPARE(given.level, Level::Debug);
        QCOMPARE(QString::fromStdString(given.endpoint), QStringLiteral("/given"));
        QCOMPARE(QString::fromStdString(given.method), QStringLiteral("GET"));

        LogRecord unknown;
        unknown.levelRaw = "purple";
        unknown.message = "disk failure on /dev/sda";
        c.enrich(unknown);
        QCOMPARE(unknown.level, Level::Error);
        QCOMPARE(QString::fromStdString(unknown.levelRaw), QStringLiteral("purple"));
    }
};

QTEST_GUILESS_MAIN(TstClassifier)
#include "tst_classifier.moc"
