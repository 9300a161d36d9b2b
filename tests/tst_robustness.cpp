#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <unistd.h>
#include <limits>
#include <memory>
#include <vector>

#include "alerting/condition.h"
#include "api/apierror.h"
#include "api/queryrunner.h"
#include "engine/engine.h"
#include "ingest/httpresponder.h"
#include "ingest/httpserver.h"
#include "ingest/inflightbudget.h"
#include "store/integritychecker.h"
#include "store/sqlitedb.h"
#include "store/sqlitestorereader.h"
#include "testhttpclient.h"

using namespace fg;

namespace {

QByteArray repeated(const QByteArray &piece, int times)
{
    QByteArray out;
    out.reserve(piece.size() * times);
    for (int i = 0; i < times; ++i)
        out += piece;
    return out;
}

QByteArray ruleBody(const QByteArray &condition)
{
    return "{\"name\":\"hostile\",\"condition\":\"" + condition + "\"}";
}

QString limitOf(const HttpReply &r)
{
    return r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("limit")).toString();
}

// Answers every request at once with 200, for the transport tests.
class OkHandler final : public RequestHandler {
public:
    std::optional<HttpResponse> admit(HttpRequest &) override { return std::nullopt; }
    void handle(HttpRequest &&, HttpResponder responder) override { responder.send(jsonResponse(200, QJsonObject{})); }
    HttpResponse transportError(int status, const QString &message) override { return apiError(status, message); }
};

} // namespace

// Regression tests for the crash and unbounded-work findings of the security review: every input is
// bounded at the door and refused with its limit named, and the process keeps answering.
class TstRobustness : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;

    std::unique_ptr<Engine> startEngine(EngineConfig c)
    {
        auto e = std::make_unique<Engine>(c);
        QString err;
        if (!e->start(&err)) {
            qWarning() << err;
            return nullptr;
        }
        return e;
    }
    bool alive(quint16 port)
    {
        TestHttpClient c(port);
        return c.get("/api/health").status == 200;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("robust.db"));
        c.retentionSeconds = 0;
        m_engine = startEngine(c);
        QVERIFY(m_engine);
        m_port = m_engine->port();
    }
    void cleanupTestCase() { m_engine.reset(); }

    void conditionParserIsBounded()
    {
        ConditionError error;
        // Sixteen levels of nesting parse; deeper ones are refused for their depth, not their syntax.
        QVERIFY(Condition::parse(repeated("(", 15).toStdString() + "errors > 1" + repeated(")", 15).toStdString(), &error));
        QVERIFY(Condition::parse(repeated("not ", 15).toStdString() + "errors > 1", &error));
        error = {};
        QVERIFY(!Condition::parse(repeated("(", 40000).toStdString(), &error));
        QCOMPARE(QByteArray(error.limit), QByteArray("max_condition_bytes"));
        error = {};
        QVERIFY(!Condition::parse(repeated("!", 1000).toStdString() + "errors > 1", &error));
        QCOMPARE(QByteArray(error.limit), QByteArray("max_condition_depth"));
        error = {};
        QVERIFY(!Condition::parse(repeated("(", 20).toStdString() + "errors > 1" + repeated(")", 20).toStdString(), &error));
        QCOMPARE(QByteArray(error.limit), QByteArray("max_condition_depth"));
        error = {};
        QVERIFY(!Condition::parse("errors > 1" + repeated(" and errors > 1", 40).toStdString(), &error));
        QCOMPARE(QByteArray(error.limit), QByteArray("max_condition_comparisons"));
        // A syntax error is no limit.
        error = {};
        QVERIFY(!Condition::parse("errors >", &error));
        QVERIFY(!error.limit);
        // The largest accepted condition evaluates (recursion bounded by the comparison count).
        const auto big = Condition::parse("errors > 1" + repeated(" and errors > 1", 31).toStdString(), &error);
        QVERIFY(big);
        KpiWindow w;
        QVERIFY(!big->evaluate(w));
    }

    void hostileRulesAreRefusedAndTheListenerSurvives()
    {
        TestHttpClient c(m_port);
        // The findings: 40,000 '(' and 80,000 '!' overflowed the parser's stack.
        HttpReply r = c.post("/api/rules", ruleBody(repeated("(", 40000)));
        QCOMPARE(r.status, 422);
        QCOMPARE(limitOf(r), QStringLiteral("max_condition_bytes"));
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("condition"));
        r = c.post("/api/rules", ruleBody(repeated("!", 80000)));
        QCOMPARE(r.status, 422);
        r = c.post("/api/rules", ruleBody(repeated("!", 500) + "errors > 1"));
        QCOMPARE(r.status, 422);
        QCOMPARE(limitOf(r), QStringLiteral("max_condition_depth"));
        r = c.post("/api/rules", ruleBody("errors > 1" + repeated(" and errors > 1", 60)));
        QCOMPARE(r.status, 422);
        QCOMPARE(limitOf(r), QStringLiteral("max_condition_comparisons"));
        // 15 MB of "errors > 1 and …" was accepted and crashed the evaluator: now refused as a document.
        TestHttpClient big(m_port);
        r = big.post("/api/rules", ruleBody(repeated("errors > 1 and ", 20000) + "errors > 1"));
        QCOMPARE(r.status, 413);
        QCOMPARE(limitOf(r), QStringLiteral("max_document_bytes"));
        // Other parts of a rule are bounded too.
        r = c.post("/api/rules", "{\"name\":\"x\",\"condition\":\"errors > 1\",\"service\":\"" + repeated("*a", 200) + "\"}");
        QCOMPARE(r.status, 422);
        QCOMPARE(limitOf(r), QStringLiteral("max_selector_chars"));
        QVERIFY(alive(m_port));
        // Nothing hostile was stored; an ordinary rule still goes in.
        r = c.post("/api/rules", ruleBody("(errors > 1 and p95_latency_ms > 800ms) or not error_rate < 5%"));
        QCOMPARE(r.status, 201);
    }

    void silencesAndTagRulesAreBounded()
    {
        TestHttpClient c(m_port);
        HttpReply r = c.post("/api/silences", "{\"service\":\"" + repeated("*", 300) + "\",\"duration\":\"1h\"}");
        QCOMPARE(r.status, 422);
        QCOMPARE(limitOf(r), QStringLiteral("max_selector_chars"));
        // range=106752d style overflows: refused, not wrapped around.
        r = c.post("/api/silences", "{\"service\":\"a\",\"duration\":\"106752d\"}");
        QCOMPARE(r.status, 422);
        QCOMPARE(limitOf(r), QStringLiteral("max_silence_duration"));
        r = c.post("/api/silences", "{\"service\":\"a\",\"duration\":1e300}");
        QCOMPARE(r.status, 422);
        QByteArray words = "[";
        for (int i = 0; i < 150; ++i)
            words += (i ? ",\"w" : "\"w") + QByteArray::number(i) + "\"";
        words += "]";
        r = c.request("PUT", "/api/settings/tags", "{\"rules\":[{\"tag\":\"x\",\"words\":" + words + "}]}");
        QCOMPARE(r.status, 422);
        QCOMPARE(limitOf(r), QStringLiteral("max_tag_words"));
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("rules[0].words"));
    }

    void invalidItemsDoNotAmplify()
    {
        TestHttpClient c(m_port);
        // 22 M empty objects behind 64 KB of gzip produced a 1.33 GB answer: now the item count is capped.
        const QByteArray many = "[" + repeated("{},", 200000) + "{}]";
        HttpReply r = c.request("POST", "/api/ingest/logs", gzip(many),
                                {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
        QCOMPARE(r.status, 413);
        QCOMPARE(limitOf(r), QStringLiteral("max_items_per_request"));
        QVERIFY(r.body.size() < 1000);
        // Many invalid items: all counted, the first hundred described.
        const QByteArray invalid = "[" + repeated("{},", 4999) + "{}]";
        r = c.post("/api/ingest/logs", invalid);
        QCOMPARE(r.status, 422);
        const QJsonObject j = r.json();
        QCOMPARE(j.value(QStringLiteral("rejected")).toInt(), 5000);
        QCOMPARE(j.value(QStringLiteral("errors")).toArray().size(), 100);
        QVERIFY(j.value(QStringLiteral("errors_truncated")).toBool());
        QVERIFY(r.body.size() < 20000);
        // A few are listed in full, without the flag.
        r = c.post("/api/ingest/logs", "[{},{\"service\":\"ok\",\"message\":\"m\"}]");
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("rejected")).toInt(), 1);
        QVERIFY(!r.json().contains(QStringLiteral("errors_truncated")));
        QCOMPARE(c.get("/api/health").json().value(QStringLiteral("inflight_bytes")).toInteger(), 0);
    }

    void timesBeyondRangeAndUnsafeNamesAreRefused()
    {
        TestHttpClient c(m_port);
        // Year 2612 overflowed int64 nanoseconds and was stored as 2027: now refused, not wrapped.
        HttpReply r = c.post("/api/ingest/logs", "[{\"service\":\"w\",\"ts\":\"2612-01-01T00:00:00Z\",\"message\":\"m\"}]");
        QCOMPARE(r.status, 422);
        QCOMPARE(r.json().value(QStringLiteral("errors")).toArray().first().toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("ts"));
        r = c.post("/api/ingest/logs", "[{\"service\":\"w\",\"ts\":99999999999,\"message\":\"m\"}]");
        QCOMPARE(r.status, 422);
        QCOMPARE(c.get("/api/logs?to=2600-06-01T00:00:00Z").status, 400);
        r = c.post("/api/silences", "{\"service\":\"x\",\"ends_at\":\"2612-01-01T00:00:00Z\"}");
        QCOMPARE(r.status, 400);
        // Names that would display as something else.
        r = c.post("/api/ingest/logs", "[{\"service\":\"pay\\u202Emoc\",\"message\":\"m\"},{\"service\":\"a\\u0000b\",\"message\":\"m\"}]");
        QCOMPARE(r.status, 422);
        QCOMPARE(r.json().value(QStringLiteral("rejected")).toInt(), 2);
    }

    void longMessagesDoNotMakeHugePages()
    {
        TestHttpClient c(m_port);
        const QByteArray big = repeated("x", 3 * 1024 * 1024);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(c.post("/api/ingest/logs", "[{\"service\":\"bigmsg\",\"message\":\"" + big + "\"}]").status, 202);
        HttpReply r = c.get("/api/logs?service=bigmsg&limit=5");
        QCOMPARE(r.status, 200);
        const int first = int(r.json().value(QStringLiteral("items")).toArray().size());
        QVERIFY2(first >= 1 && first < 5, qPrintable(QString::number(first)));
        QVERIFY(r.body.size() < 16 * 1024 * 1024);
        const QByteArray cursor = r.json().value(QStringLiteral("next_cursor")).toString().toLatin1();
        QVERIFY(!cursor.isEmpty());
        r = c.get("/api/logs?service=bigmsg&limit=5&cursor=" + cursor);
        QCOMPARE(first + r.json().value(QStringLiteral("items")).toArray().size(), 5);
    }

    void oneWriterPerDatabaseFileWhateverThePath()
    {
        // A hard link or a symlink to the database gave two writers (and a corrupt database): the lock is
        // on the file itself now.
        EngineConfig a;
        a.listenPort = 0;
        a.dbPath = m_dir.filePath(QStringLiteral("shared.db"));
        auto first = startEngine(a);
        QVERIFY(first);
        QCOMPARE(QFileInfo(a.dbPath).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());
        const QString hard = m_dir.filePath(QStringLiteral("hardlink.db"));
        QCOMPARE(::link(a.dbPath.toUtf8().constData(), hard.toUtf8().constData()), 0);
        const QString soft = m_dir.filePath(QStringLiteral("symlink.db"));
        QVERIFY(QFile::link(a.dbPath, soft));
        for (const QString &path : {hard, soft}) {
            EngineConfig b = a;
            b.dbPath = path;
            Engine second(b);
            QString error;
            QVERIFY(!second.start(&error));
            QVERIFY2(error.contains(QStringLiteral("already in use")), qPrintable(error));
        }
        // The first one still serves.
        TestHttpClient c(first->port());
        QCOMPARE(c.get("/api/health").json().value(QStringLiteral("db")).toObject().value(QStringLiteral("ok")).toBool(), true);
        // Every answer carries the security headers.
        const HttpReply r = c.get("/api/health");
        QCOMPARE(r.header("x-content-type-options"), QByteArray("nosniff"));
        QCOMPARE(r.header("x-frame-options"), QByteArray("DENY"));
        QCOMPARE(r.header("referrer-policy"), QByteArray("no-referrer"));
    }

    void corruptionInTheMiddleOfTheFileIsNoticed()
    {
        const QString path = m_dir.filePath(QStringLiteral("corrupt.db"));
        {
            SqliteDb db(path.toStdString(), SqliteDb::Mode::ReadWrite);
            db.exec("PRAGMA page_size=4096; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t(v)");
            db.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 20000) "
                    "INSERT INTO t(v) SELECT hex(randomblob(40)) FROM n");
        }
        {
            IntegrityChecker healthy(path.toStdString(), std::chrono::seconds(0), std::chrono::hours(1));
            QTRY_VERIFY(healthy.state() != IntegrityChecker::State::Unchecked);
            QCOMPARE(healthy.state(), IntegrityChecker::State::Ok);
        }
        // Garbage over pages in the middle: start-up reads never touch them, quick_check does.
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.seek(f.size() / 2));
        f.write(QByteArray(3 * 4096, '\x5a'));
        f.close();
        IntegrityChecker checker(path.toStdString(), std::chrono::seconds(0), std::chrono::hours(1));
        QTRY_VERIFY(checker.state() != IntegrityChecker::State::Unchecked);
        QCOMPARE(checker.state(), IntegrityChecker::State::Corrupt);
        QVERIFY(!checker.problem().empty());
    }

    void silencesSurviveARestart()
    {
        EngineConfig cfg;
        cfg.listenPort = 0;
        cfg.dbPath = m_dir.filePath(QStringLiteral("silences.db"));
        {
            auto engine = startEngine(cfg);
            QVERIFY(engine);
            TestHttpClient c(engine->port());
            QCOMPARE(c.post("/api/silences", "{\"service\":\"x\",\"ends_at\":\"2030-01-01T00:00:00Z\"}").status, 201);
        }
        auto engine = startEngine(cfg);
        QVERIFY(engine);
        TestHttpClient c(engine->port());
        QCOMPARE(c.get("/api/silences").json().value(QStringLiteral("items")).toArray().size(), 1);
    }

    void queryParametersAreValidated()
    {
        TestHttpClient c(m_port);
        HttpReply r = c.get("/api/logs?range=106752d");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("range"));
        r = c.get("/api/logs?q=" + repeated("a", 300));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("q"));
        r = c.get("/api/metrics?step=1000000d");
        QCOMPARE(r.status, 400);
        QCOMPARE(c.get("/api/logs?q=" + repeated("a", 256)).status, 200);
        const QJsonObject queries = c.get("/api/health").json().value(QStringLiteral("queries")).toObject();
        QCOMPARE(queries.value(QStringLiteral("threads")).toInt(), 2);
        QVERIFY(queries.contains(QStringLiteral("saturated")));
    }

    void servicesAreCappedAndQueriesDoNotGrowWithThem()
    {
        EngineConfig cfg;
        cfg.listenPort = 0;
        cfg.dbPath = m_dir.filePath(QStringLiteral("cardinality.db"));
        cfg.retentionSeconds = 0;
        cfg.maxServices = 3000;
        auto engine = startEngine(cfg);
        QVERIFY(engine);
        TestHttpClient c(engine->port());
        // 3,100 distinct names in one request: the first 3,000 are kept, the rest refused by name.
        QByteArray body = "[";
        for (int i = 0; i < 3100; ++i)
            body += (i ? "," : "") + QByteArray("{\"service\":\"svc-") + QByteArray::number(i)
                    + "\",\"ts\":" + QByteArray::number(1700000000000LL + i) + ",\"message\":\"m" + QByteArray::number(i) + "\"}";
        body += "]";
        HttpReply r = c.post("/api/ingest/logs", body);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 3000);
        QCOMPARE(r.json().value(QStringLiteral("rejected")).toInt(), 100);
        const QJsonObject first = r.json().value(QStringLiteral("errors")).toArray().first().toObject();
        QCOMPARE(first.value(QStringLiteral("field")).toString(), QStringLiteral("service"));
        QVERIFY(first.value(QStringLiteral("message")).toString().contains(QStringLiteral("max_services")));
        // Known services still get in; a new one does not.
        QCOMPARE(c.post("/api/ingest/logs", "{\"service\":\"svc-7\",\"message\":\"again\"}").status, 202);
        QCOMPARE(c.post("/api/ingest/logs", "{\"service\":\"brand-new\",\"message\":\"x\"}").status, 422);
        const QJsonObject services = c.get("/api/health").json().value(QStringLiteral("services")).toObject();
        QCOMPARE(services.value(QStringLiteral("count")).toInt(), 3000);
        QCOMPARE(services.value(QStringLiteral("max")).toInt(), 3000);
        QCOMPARE(services.value(QStringLiteral("refused_items")).toInteger(), 101);

        // Logs across all services: one walk of the event-time index, newest first, paged by cursor.
        QElapsedTimer t;
        t.start();
        r = c.get("/api/logs?limit=50");
        const qint64 ms = t.elapsed();
        QCOMPARE(r.status, 200);
        QJsonArray items = r.json().value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 50);
        QCOMPARE(items[0].toObject().value(QStringLiteral("message")).toString(), QStringLiteral("again"));
        QCOMPARE(items[1].toObject().value(QStringLiteral("message")).toString(), QStringLiteral("m2999"));
        QCOMPARE(items[49].toObject().value(QStringLiteral("message")).toString(), QStringLiteral("m2951"));
        r = c.get("/api/logs?limit=50&cursor=" + r.json().value(QStringLiteral("next_cursor")).toString().toLatin1());
        items = r.json().value(QStringLiteral("items")).toArray();
        QCOMPARE(items[0].toObject().value(QStringLiteral("message")).toString(), QStringLiteral("m2950"));
        qInfo("GET /api/logs over 3000 services: %lld ms", ms);

        // Service health pages by name, bounded per answer.
        t.restart();
        r = c.get("/api/health/services?limit=1000");
        qInfo("GET /api/health/services, a page of 1000 of 3000 services: %lld ms", t.elapsed());
        QCOMPARE(r.status, 200);
        const QJsonArray firstPage = r.json().value(QStringLiteral("items")).toArray();
        QCOMPARE(firstPage.size(), 1000);
        const QByteArray next = r.json().value(QStringLiteral("next_cursor")).toString().toLatin1();
        QVERIFY(!next.isEmpty());
        r = c.get("/api/health/services?limit=1000&cursor=" + next);
        const QString lastOfFirst = firstPage.last().toObject().value(QStringLiteral("service")).toString();
        const QString firstOfNext =
            r.json().value(QStringLiteral("items")).toArray().first().toObject().value(QStringLiteral("service")).toString();
        QVERIFY2(firstOfNext > lastOfFirst, qPrintable(lastOfFirst + QStringLiteral(" / ") + firstOfNext));
        QCOMPARE(c.get("/api/health/services?limit=5000").status, 400);
    }

    void metricSeriesAreCappedPerServiceAndInTotal()
    {
        EngineConfig cfg;
        cfg.listenPort = 0;
        cfg.dbPath = m_dir.filePath(QStringLiteral("series.db"));
        cfg.retentionSeconds = 0;
        cfg.maxSeriesPerService = 50;
        cfg.maxSeries = 80;
        auto samples = [](const char *service, int from, int to) {
            QByteArray body = "[";
            for (int i = from; i < to; ++i)
                body += (i > from ? "," : "") + QByteArray("{\"service\":\"") + service + "\",\"name\":\"m"
                        + QByteArray::number(i) + "\",\"value\":1}";
            return body + "]";
        };
        {
            auto engine = startEngine(cfg);
            QVERIFY(engine);
            TestHttpClient c(engine->port());
            // 60 names on one service: 50 fit its cap, 10 are refused by name.
            HttpReply r = c.post("/api/ingest/metrics", samples("a", 0, 60));
            QCOMPARE(r.status, 202);
            QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 50);
            QCOMPARE(r.json().value(QStringLiteral("rejected")).toInt(), 10);
            QJsonObject first = r.json().value(QStringLiteral("errors")).toArray().first().toObject();
            QCOMPARE(first.value(QStringLiteral("field")).toString(), QStringLiteral("name"));
            QVERIFY(first.value(QStringLiteral("message")).toString().contains(QStringLiteral("max_series_per_service")));
            // Another service: the total cap (80) leaves room for 30.
            r = c.post("/api/ingest/metrics", samples("b", 0, 40));
            QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 30);
            first = r.json().value(QStringLiteral("errors")).toArray().first().toObject();
            QCOMPARE(first.value(QStringLiteral("field")).toString(), QStringLiteral("name"));
            QVERIFY(first.value(QStringLiteral("message")).toString().contains(QStringLiteral("(max_series;")));
            // Known series still get in; new tags make a new series, and a KPI snapshot is refused whole.
            QCOMPARE(c.post("/api/ingest/metrics", samples("a", 0, 1)).status, 202);
            QCOMPARE(c.post("/api/ingest/metrics", "{\"service\":\"a\",\"name\":\"m0\",\"value\":1,\"tags\":{\"k\":1}}").status, 422);
            QCOMPARE(c.post("/api/ingest/metrics", "{\"service\":\"b\",\"m0\":1,\"new_kpi\":2}").status, 422);
            const QJsonObject series = c.get("/api/health").json().value(QStringLiteral("series")).toObject();
            QCOMPARE(series.value(QStringLiteral("count")).toInt(), 80);
            QCOMPARE(series.value(QStringLiteral("max")).toInt(), 80);
            QCOMPARE(series.value(QStringLiteral("max_per_service")).toInt(), 50);
            QCOMPARE(series.value(QStringLiteral("refused_items")).toInteger(), 22);
        }
        // After a restart the stored series count against the caps from the start.
        auto engine = startEngine(cfg);
        QVERIFY(engine);
        TestHttpClient c(engine->port());
        QCOMPARE(c.get("/api/health").json().value(QStringLiteral("series")).toObject().value(QStringLiteral("count")).toInt(), 80);
        QCOMPARE(c.post("/api/ingest/metrics", samples("b", 29, 30)).status, 202);
        QCOMPARE(c.post("/api/ingest/metrics", samples("c", 0, 1)).status, 422);
        QCOMPARE(c.get("/api/config").json().value(QStringLiteral("max_series")).toInt(), 80);
    }

    void queriesStopAtTheirTimeBudget()
    {
        // A store with enough rows that a text search over all of them outlasts a 20 ms budget.
        EngineConfig cfg;
        cfg.listenPort = 0;
        cfg.dbPath = m_dir.filePath(QStringLiteral("budget.db"));
        cfg.retentionSeconds = 0;
        {
            auto engine = startEngine(cfg);
            QVERIFY(engine);
            TestHttpClient c(engine->port());
            const QByteArray message = repeated("lorem ipsum dolor sit amet ", 40);
            for (int batch = 0; batch < 40; ++batch) {
                QByteArray body = "[";
                for (int i = 0; i < 1000; ++i)
                    body += (i ? "," : "") + QByteArray("{\"service\":\"s\",\"message\":\"") + message + "\"}";
                body += "]";
                QCOMPARE(c.post("/api/ingest/logs", body).status, 202);
            }
        }
        QueryRunner runner([path = cfg.dbPath.toStdString()] { return std::make_unique<SqliteStoreReader>(path); }, 1, 20);
        std::atomic<int> status{0};
        QByteArray body;
        auto sink = std::make_shared<ResponseSlot>([&](HttpResponse r) {
            body = r.body;
            status = r.status;
        });
        LogQuery q;
        q.window = {0, std::numeric_limits<TimeNs>::max(), std::nullopt, 10};
        // Longer than any message, and made of their words: the log chunks' trigram filters cannot rule a
        // chunk out, so every message is searched.
        q.contains = repeated("lorem ipsum dolor sit amet ", 41).toStdString();
        QElapsedTimer t;
        t.start();
        runner.run([q](StoreReader &reader) {
            return jsonResponse(200, QJsonObject{{QStringLiteral("n"), int(reader.logs(q).items.size())}});
        },
                   HttpResponder(sink, 1));
        QTRY_VERIFY_WITH_TIMEOUT(status != 0, 10000);
        QCOMPARE(int(status), 503);
        QVERIFY2(body.contains("query_time_budget"), body.constData());
        QVERIFY(t.elapsed() < 2000);
        QCOMPARE(runner.stats().timedOut, 1);
        // The thread is free again: a cheap query answers.
        status = 0;
        auto sink2 = std::make_shared<ResponseSlot>([&](HttpResponse r) { status = r.status; });
        runner.run([](StoreReader &reader) {
            return jsonResponse(200, QJsonObject{{QStringLiteral("n"), int(reader.services().size())}});
        },
                   HttpResponder(sink2, 2));
        QTRY_VERIFY_WITH_TIMEOUT(status != 0, 5000);
        QCOMPARE(int(status), 200);
    }

    void slowClientsAreCutOff()
    {
        OkHandler handler;
        InflightBudget budget(64 * 1024 * 1024);
        HttpLimits limits;
        limits.headerTimeoutMs = 1000;
        limits.bodyGraceMs = 1000;
        limits.minBodyBytesPerSec = 1024;
        limits.maxConnectionsPerAddress = 4;
        HttpServer server(&handler, &budget, limits);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const quint16 port = server.serverPort();

        // A head trickled a byte at a time is answered 408 once its deadline passes, however often
        // bytes arrive.
        QTcpSocket head;
        head.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(head.waitForConnected(2000));
        const QByteArray request = "GET /x HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + repeated("a", 200);
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < request.size() && head.state() == QAbstractSocket::ConnectedState && t.elapsed() < 6000; ++i) {
            head.write(request.mid(i, 1));
            head.flush();
            QTest::qWait(20);
            if (head.bytesAvailable())
                break;
        }
        QTRY_VERIFY_WITH_TIMEOUT(head.bytesAvailable() > 0 || head.state() != QAbstractSocket::ConnectedState, 5000);
        const QByteArray timedOut = head.readAll();
        QVERIFY2(timedOut.startsWith("HTTP/1.1 408"), "expected 408 for a trickled head");
        QVERIFY(timedOut.contains("RequestTimeout"));
        QVERIFY(t.elapsed() < 4000);

        // A body far below the minimum rate is cut off after the grace period.
        QTcpSocket body;
        body.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(body.waitForConnected(2000));
        body.write("POST /x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\nab");
        body.flush();
        t.restart();
        while (!body.bytesAvailable() && t.elapsed() < 5000) {
            body.write("c");
            body.flush();
            QTest::qWait(100);
        }
        QVERIFY2(body.readAll().startsWith("HTTP/1.1 408"), "expected 408 for a trickled body");

        // One address may hold only so many connections; others are refused at once with 503.
        std::vector<std::unique_ptr<QTcpSocket>> held;
        for (int i = 0; i < 4; ++i) {
            held.push_back(std::make_unique<QTcpSocket>());
            held.back()->connectToHost(QHostAddress::LocalHost, port);
            QVERIFY(held.back()->waitForConnected(2000));
        }
        QTest::qWait(200);
        QTcpSocket extra;
        extra.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(extra.waitForConnected(2000));
        QTRY_VERIFY_WITH_TIMEOUT(extra.bytesAvailable() > 0, 3000);
        const QByteArray refusedReply = extra.readAll();
        QVERIFY(refusedReply.startsWith("HTTP/1.1 503"));
        QCOMPARE(refusedReply.count("Retry-After"), 1);
        held.clear();
        QTest::qWait(300);
        // (The server runs on this thread, so the check uses the event loop, not a blocking client.)
        QTcpSocket ok;
        ok.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(ok.waitForConnected(2000));
        ok.write("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(ok.bytesAvailable() > 0, 3000);
        QVERIFY(ok.readAll().startsWith("HTTP/1.1 200"));
    }

    void connectionFloodAtALowDescriptorLimitKeepsServing()
    {
        // The real binary with 256 descriptors at most (soft and hard): its connection cap stays under
        // the limit, so a flood is answered 503 and /api/health keeps answering.
        if (QStandardPaths::findExecutable(QStringLiteral("prlimit")).isEmpty())
            QSKIP("prlimit (util-linux) is not installed");
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_dir.path());
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral("prlimit"),
                {QStringLiteral("--nofile=256:256"), QStringLiteral(FLOWGUARD_BIN), QStringLiteral("--headless"),
                 QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"),
                 m_dir.filePath(QStringLiteral("fd.db"))});
        QVERIFY(p.waitForStarted(5000));
        while (!p.canReadLine())
            QVERIFY(p.waitForReadyRead(15000));
        const auto m = QRegularExpression(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"))
                           .match(QString::fromUtf8(p.readLine()));
        QVERIFY(m.hasMatch());
        const quint16 port = quint16(m.captured(1).toUInt());
        std::vector<std::unique_ptr<QTcpSocket>> flood;
        for (int i = 0; i < 400; ++i) {
            flood.push_back(std::make_unique<QTcpSocket>());
            flood.back()->connectToHost(QHostAddress::LocalHost, port);
            flood.back()->waitForConnected(500);
        }
        QTest::qWait(500);
        int refused = 0;
        for (auto &s : flood)
            if (s->bytesAvailable() || s->waitForReadyRead(10))
                refused += s->readAll().startsWith("HTTP/1.1 503") ? 1 : 0;
        QVERIFY2(refused > 0, "connections beyond the cap are answered 503");
        // The listener still serves while the flood holds its connections.
        flood.erase(flood.begin(), flood.begin() + 20); // the first ones were accepted and hold slots
        QTest::qWait(300);
        TestHttpClient c(port);
        QTRY_COMPARE_WITH_TIMEOUT(c.get("/api/health").status, 200, 5000);
        flood.clear();
        p.terminate();
        QVERIFY(p.waitForFinished(15000));
        QCOMPARE(p.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(TstRobustness)
#include "tst_robustness.moc"
