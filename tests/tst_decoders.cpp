#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "ingest/cumulativetracker.h"
#include "ingest/gzipinflater.h"
#include "ingest/nativelogdecoder.h"
#include "ingest/nativemetricdecoder.h"
#include "testhttpclient.h"

using namespace fg;

namespace {
constexpr TimeNs kNow = 1'800'000'000'000'000'000;

// Decoders need readable padding after the body, as the listener provides.
DecodeResult decode(IngestDecoder &d, const QByteArray &body, BodyFormat format = BodyFormat::Auto)
{
    QByteArray padded = body;
    padded.reserve(body.size() + qsizetype(kJsonPadding));
    return d.decode(std::string_view(padded.constData(), std::size_t(padded.size())), format, kNow, nullptr, {});
}

QJsonObject attrs(const LogRecord &r) { return QJsonDocument::fromJson(QByteArray::fromStdString(r.attributes)).object(); }
} // namespace

class TstDecoders : public QObject {
    Q_OBJECT

private slots:
    void issueExampleDecodes()
    {
        NativeLogDecoder d;
        const auto r = decode(d, R"([{"service":"auth","ts":"2024-01-01T12:00:00Z","level":"ERROR","message":"Auth failed latency=850ms status=500","latency_ms":850,"status_code":500}])");
        QVERIFY(r.malformed.empty());
        QCOMPARE(r.accepted, 1);
        QCOMPARE(r.items, 1);
        QVERIFY(r.errors.empty());
        const LogRecord &l = r.batch.logs.at(0);
        QCOMPARE(QString::fromStdString(l.service), QStringLiteral("auth"));
        QCOMPARE(l.ts, 1704110400LL * kNsPerSec);
        QCOMPARE(l.level, Level::Error);
        QVERIFY(l.levelRaw.empty());
        QCOMPARE(l.latencyMs, 850.0);
        QCOMPARE(l.statusCode, 500);
        QCOMPARE(l.received, kNow);
    }

    void singleObjectAndNdjson()
    {
        NativeLogDecoder d;
        QCOMPARE(decode(d, R"({"service":"a","message":"x"})").accepted, 1);
        const auto nd = decode(d, "{\"service\":\"a\"}\n\n{\"service\":\"b\"}\r\n{\"service\":\"c\"}", BodyFormat::Ndjson);
        QCOMPARE(nd.accepted, 3);
        QCOMPARE(nd.items, 3);
        // Without the NDJSON content type, several lines of JSON are still recognised.
        QCOMPARE(decode(d, "{\"service\":\"a\"}\n{\"service\":\"b\"}").accepted, 2);
    }

    void ndjsonBadLineIsAnItemError()
    {
        NativeLogDecoder d;
        const auto r = decode(d, "{\"service\":\"a\"}\n{broken\n{\"service\":\"c\"}\n", BodyFormat::Ndjson);
        QVERIFY(r.malformed.empty());
        QCOMPARE(r.accepted, 2);
        QCOMPARE(int(r.errors.size()), 1);
        QCOMPARE(r.errors[0].index, 1);
        QVERIFY(QString::fromStdString(r.errors[0].message).contains(QStringLiteral("line 2")));
    }

    void malformedBody()
    {
        NativeLogDecoder d;
        QVERIFY(!decode(d, "{bad").malformed.empty());
        QVERIFY(!decode(d, "42").malformed.empty());
        QVERIFY(!decode(d, "garbage\nmore garbage", BodyFormat::Ndjson).malformed.empty());
    }

    void fieldErrorsNameTheField_data()
    {
        QTest::addColumn<QByteArray>("item");
        QTest::addColumn<QString>("field");
        QTest::newRow("missing service") << QByteArray(R"({"message":"x"})") << "service";
        QTest::newRow("service not string") << QByteArray(R"({"service":5})") << "service";
        QTest::newRow("empty service") << QByteArray(R"({"service":""})") << "service";
        QTest::newRow("bad ts") << QByteArray(R"({"service":"a","ts":"yesterday"})") << "ts";
        QTest::newRow("ts bool") << QByteArray(R"({"service":"a","ts":true})") << "ts";
        QTest::newRow("negative latency") << QByteArray(R"({"service":"a","latency_ms":-3})") << "latency_ms";
        QTest::newRow("latency text") << QByteArray(R"({"service":"a","latency_ms":"slow"})") << "latency_ms";
        QTest::newRow("status 999") << QByteArray(R"({"service":"a","status_code":999})") << "status_code";
        QTest::newRow("attributes array") << QByteArray(R"({"service":"a","attributes":[1]})") << "attributes";
        QTest::newRow("endpoint number") << QByteArray(R"({"service":"a","endpoint":7})") << "endpoint";
        QTest::newRow("level object") << QByteArray(R"({"service":"a","level":{}})") << "level";
    }
    void fieldErrorsNameTheField()
    {
        QFETCH(QByteArray, item);
        QFETCH(QString, field);
        NativeLogDecoder d;
        const auto r = decode(d, "[" + item + R"(,{"service":"ok"}])");
        QCOMPARE(r.accepted, 1);
        QCOMPARE(int(r.errors.size()), 1);
        QCOMPARE(r.errors[0].index, 0);
        QCOMPARE(QString::fromStdString(r.errors[0].field), field);
        QVERIFY(!r.errors[0].message.empty());
    }

    void nonObjectItem()
    {
        NativeLogDecoder d;
        const auto r = decode(d, R"([1,{"service":"a"}])");
        QCOMPARE(r.accepted, 1);
        QCOMPARE(r.errors.at(0).index, 0);
    }

    void statusSpellings()
    {
        NativeLogDecoder d;
        const auto r = decode(d, R"([{"service":"a","status":500},{"service":"a","http_status":"404"},
                                     {"service":"a","status":"ok"},{"service":"a","status":502,"status_code":503}])");
        QCOMPARE(r.accepted, 4);
        const auto &l = r.batch.logs;
        QCOMPARE(l[0].statusCode, 500);
        QVERIFY(QString::fromStdString(l[0].attributes).contains(QStringLiteral("\"status\":500")));
        QCOMPARE(l[1].statusCode, 404);
        QCOMPARE(l[2].statusCode, 0); // not an HTTP status: an attribute only
        QCOMPARE(l[3].statusCode, 503);
    }

    void lenientValues()
    {
        NativeLogDecoder d;
        const auto r = decode(d, R"([{"service":"a","ts":1704110400123,"level":"Warning","latency_ms":"12.5","status_code":"503","path":"/x","signal_id":42},
                                     {"service":"a","ts":"1704110400","level":"purple"},
                                     {"service":"a","level":17,"message":{"k":"v"}}])");
        QCOMPARE(r.accepted, 3);
        const auto &l = r.batch.logs;
        QCOMPARE(l[0].ts, 1704110400123LL * kNsPerMs);
        QCOMPARE(l[0].level, Level::Warn);
        QCOMPARE(QString::fromStdString(l[0].levelRaw), QStringLiteral("Warning"));
        QCOMPARE(l[0].latencyMs, 12.5);
        QCOMPARE(l[0].statusCode, 503);
        QCOMPARE(QString::fromStdString(l[0].endpoint), QStringLiteral("/x"));
        QCOMPARE(QString::fromStdString(l[0].signalId), QStringLiteral("42"));
        QCOMPARE(l[1].ts, 1704110400LL * kNsPerSec);
        QCOMPARE(l[1].level, Level::Unknown);
        QCOMPARE(QString::fromStdString(l[1].levelRaw), QStringLiteral("purple"));
        QCOMPARE(l[2].level, Level::Error);
        QCOMPARE(l[2].ts, kNow); // missing ts: receive time
        QCOMPARE(QString::fromStdString(l[2].message), QStringLiteral(R"({"k":"v"})"));
    }

    void unknownFieldsKeptInAttributes()
    {
        NativeLogDecoder d;
        const auto r = decode(d, R"({"service":"a","attributes":{"user":"u1"},"host":"web-1","pod":{"n":1}})");
        QCOMPARE(r.accepted, 1);
        const QJsonObject a = attrs(r.batch.logs[0]);
        QCOMPARE(a.value(QStringLiteral("user")).toString(), QStringLiteral("u1"));
        QCOMPARE(a.value(QStringLiteral("host")).toString(), QStringLiteral("web-1"));
        QCOMPARE(a.value(QStringLiteral("pod")).toObject().value(QStringLiteral("n")).toInt(), 1);
    }

    void genericMetric()
    {
        NativeMetricDecoder d;
        const auto r = decode(d, R"([{"service":"auth","ts":"2024-01-01T12:00:00Z","name":"queue.depth","value":42,"type":"Counter","tags":{"z":"1","a":2}}])");
        QCOMPARE(r.accepted, 1);
        const MetricSample &m = r.batch.metrics.at(0);
        QCOMPARE(QString::fromStdString(m.name), QStringLiteral("queue.depth"));
        QCOMPARE(m.value, 42.0);
        QCOMPARE(m.type, MetricType::Counter);
        QCOMPARE(QString::fromStdString(m.tags), QStringLiteral(R"({"a":2,"z":"1"})"));
    }

    void kpiSnapshotMetric()
    {
        NativeMetricDecoder d;
        const auto r = decode(d, R"({"service":"auth","ts":"2024-01-01T12:00:00Z","tps":28.5,"error_rate":0.08,"p95_latency_ms":650,"endpoint":"/login","signal_id":"s1"})");
        QCOMPARE(r.accepted, 1);
        QCOMPARE(int(r.batch.metrics.size()), 3);
        QStringList names;
        for (const auto &m : r.batch.metrics) {
            names << QString::fromStdString(m.name);
            QCOMPARE(QString::fromStdString(m.tags), QStringLiteral(R"({"endpoint":"/login"})"));
            QVERIFY(QString::fromStdString(m.signalId).startsWith(QStringLiteral("s1:")));
        }
        QCOMPARE(names, (QStringList{QStringLiteral("tps"), QStringLiteral("error_rate"), QStringLiteral("p95_latency_ms")}));
        QVERIFY(r.batch.metrics[0].startsItem);
        QVERIFY(!r.batch.metrics[1].startsItem);
    }

    void metricErrors_data()
    {
        QTest::addColumn<QByteArray>("item");
        QTest::addColumn<QString>("field");
        QTest::newRow("no service") << QByteArray(R"({"name":"x","value":1})") << "service";
        QTest::newRow("bad type") << QByteArray(R"({"service":"a","name":"x","value":1,"type":"meter"})") << "type";
        QTest::newRow("value text") << QByteArray(R"({"service":"a","name":"x","value":"high"})") << "value";
        QTest::newRow("value missing") << QByteArray(R"({"service":"a","name":"x"})") << "value";
        QTest::newRow("name missing") << QByteArray(R"({"service":"a","value":1})") << "name";
        QTest::newRow("nothing numeric") << QByteArray(R"({"service":"a","note":"hi"})") << "value";
        QTest::newRow("tags nested") << QByteArray(R"({"service":"a","name":"x","value":1,"tags":{"a":{}}})") << "tags";
    }
    void metricErrors()
    {
        QFETCH(QByteArray, item);
        QFETCH(QString, field);
        NativeMetricDecoder d;
        const auto r = decode(d, "[" + item + "]");
        QCOMPARE(r.accepted, 0);
        QCOMPARE(int(r.errors.size()), 1);
        QCOMPARE(QString::fromStdString(r.errors[0].field), field);
        QVERIFY(r.batch.metrics.empty());
    }

    void cumulativeDeltas()
    {
        const TimeNs started = 1000;
        CumulativeTracker t(started, 4);
        std::vector<double> v{7, 2};
        QVERIFY(t.toDelta("a", started + 1, 10, v)); // started after the tracker: all of it is new
        QCOMPARE(v, (std::vector<double>{7, 2}));
        v = {7, 2};
        QVERIFY(!t.toDelta("a", started + 1, 10, v)); // the same point again
        v = {12, 2};
        QVERIFY(t.toDelta("a", started + 1, 20, v));
        QCOMPARE(v, (std::vector<double>{5, 0}));
        v = {3, 2};
        QVERIFY(t.toDelta("a", started + 1, 30, v)); // a drop: reset, counted from zero
        QCOMPARE(v, (std::vector<double>{3, 2}));
        v = {500};
        QVERIFY(t.toDelta("old", started - 1, 10, v)); // began before this run: only the baseline
        QCOMPARE(v, (std::vector<double>{0}));
        v = {9};
        QVERIFY(t.toDelta("a", started + 2, 40, v)); // a new start time is a new series
        QCOMPARE(v, (std::vector<double>{9}));
        // Bounded: past 4 series the least recently updated half goes, the newest stay known.
        for (int i = 0; i < 6; ++i) {
            v = {1};
            t.toDelta("s" + std::to_string(i), started + 1, 10, v);
            QVERIFY(t.size() <= 4);
        }
        for (const char *kept : {"s4", "s5"}) {
            v = {1};
            QVERIFY(!t.toDelta(kept, started + 1, 10, v));
        }
        v = {1};
        QVERIFY(t.toDelta("s0", started + 1, 10, v)); // forgotten: a new series again
    }

    void gzipRoundTripAndLimits()
    {
        const QByteArray text = QByteArray(R"({"service":"a","message":"hello"})").repeated(1000);
        QByteArray out;
        QCOMPARE(GzipInflater::inflate(gzip(text), 1 << 20, out, 64), GzipInflater::Result::Ok);
        QCOMPARE(out, text);
        QVERIFY(out.capacity() >= out.size() + 64);
        // A small body that expands past the cap is refused, not inflated.
        const QByteArray bomb = gzip(QByteArray(8 << 20, ' '));
        QVERIFY(bomb.size() < 64 * 1024);
        QCOMPARE(GzipInflater::inflate(bomb, 1 << 20, out, 64), GzipInflater::Result::TooLarge);
        QCOMPARE(GzipInflater::inflate("not gzip at all", 1 << 20, out, 64), GzipInflater::Result::Corrupt);
        QByteArray truncated = gzip(text);
        truncated.chop(20);
        QCOMPARE(GzipInflater::inflate(truncated, 1 << 20, out, 64), GzipInflater::Result::Corrupt);
    }
};

QTEST_GUILESS_MAIN(TstDecoders)
#include "tst_decoders.moc"
