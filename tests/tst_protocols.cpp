#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

#include <snappy.h>

#include "api/traceview.h"
#include "ingest/lokiproto/push.pb.h"
#include "ingest/otlpproto/otlp.pb.h"
#include "engine/engine.h"
#include "ingest/otlpmetricdecoder.h"
#include "model/timestamp.h"
#include "protocolpayloads.h"
#include "testhttpclient.h"

using namespace fg;

namespace {
const QJsonObject kFullSuccess{{QStringLiteral("partialSuccess"), QJsonObject{}}};
}

// OTLP/HTTP JSON and protobuf, Loki push and raw lines over real HTTP into a real engine (listener on port 0, SQLite
// file), read back through the query API.
class TstProtocols : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;

    static qint64 nowNsec() { return QDateTime::currentMSecsSinceEpoch() * kNsPerMs; }

    QJsonArray items(const QByteArray &target)
    {
        TestHttpClient c(m_port);
        const HttpReply r = c.get(target);
        if (r.status != 200)
            qWarning() << target << r.status << r.body;
        return r.json().value(QStringLiteral("items")).toArray();
    }
    static QJsonObject attrs(const QJsonValue &item) { return item.toObject().value(QStringLiteral("attributes")).toObject(); }
    static QString str(const QJsonValue &item, const char *key)
    {
        return item.toObject().value(QLatin1String(key)).toString();
    }
    // The sum of all stored points of one metric.
    double metricSum(const QByteArray &service, const QByteArray &name, int *points = nullptr)
    {
        // Points up to two minutes ahead of now are part of the tests.
        const QJsonArray list = items("/api/metrics?service=" + service + "&name=" + name + "&limit=1000&to=2100-01-01T00:00:00Z");
        double sum = 0;
        for (const QJsonValue &p : list)
            sum += p.toObject().value(QStringLiteral("value")).toDouble();
        if (points)
            *points = int(list.size());
        return sum;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("protocols.db"));
        c.retentionSeconds = 0;
        m_engine = std::make_unique<Engine>(c);
        QString err;
        QVERIFY2(m_engine->start(&err), qPrintable(err));
        m_port = m_engine->port();
    }
    void cleanupTestCase() { m_engine.reset(); }

    void otlpLogsStoredAndQueryable()
    {
        const qint64 t = nowNsec();
        TestHttpClient c(m_port);
        const HttpReply r = c.post("/v1/logs", otlpLogs("otlp-logs", t));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/json"));
        QCOMPARE(r.json(), kFullSuccess);

        const QJsonArray logs = items("/api/logs?service=otlp-logs");
        QCOMPARE(logs.size(), 2);
        const QJsonValue error = logs[1], warn = logs[0]; // newest first
        QCOMPARE(str(error, "message"), QStringLiteral("payment gateway timeout after 3000 ms"));
        QCOMPARE(str(error, "level"), QStringLiteral("ERROR"));
        QCOMPARE(str(error, "trace_id"), QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
        QCOMPARE(str(error, "span_id"), QStringLiteral("00f067aa0ba902b7"));
        QCOMPARE(str(error, "endpoint"), QStringLiteral("/pay"));
        QCOMPARE(str(error, "ts"), QString::fromStdString(formatIsoMs(t)));
        QCOMPARE(attrs(error).value(QStringLiteral("retry")).toInt(), 2);
        QCOMPARE(attrs(error).value(QStringLiteral("resource")).toObject().value(QStringLiteral("deployment.environment.name")).toString(),
                 QStringLiteral("prod"));
        // The JS SDK's shapes: a number time, severityText only, a kvlist body, an arrayValue attribute.
        QCOMPARE(str(warn, "level"), QStringLiteral("WARN"));
        QCOMPARE(QJsonDocument::fromJson(str(warn, "message").toUtf8()).object(),
                 (QJsonObject{{QStringLiteral("msg"), QStringLiteral("retrying")}, {QStringLiteral("attempt"), 2}}));
        QCOMPARE(attrs(warn).value(QStringLiteral("flags")).toArray(), (QJsonArray{true, 1.5}));
        // Without service.name the service is OpenTelemetry's unknown_service; no time → observed time.
        const QJsonArray unknown = items("/api/logs?service=unknown_service");
        QCOMPARE(unknown.size(), 1);
        QCOMPARE(str(unknown[0], "ts"), QString::fromStdString(formatIsoMs(t + 3 * kNsPerMs)));
        // Found by trace id.
        QCOMPARE(items("/api/logs?trace_id=4bf92f3577b34da6a3ce929d0e0e4736&service=otlp-logs").size(), 1);
    }

    void otlpPartialAndBadBodies()
    {
        TestHttpClient c(m_port);
        const qint64 t = nowNsec();
        HttpReply r = c.post("/v1/logs", otlpLogsWithBadTraceId("otlp-partial", t));
        QCOMPARE(r.status, 200);
        const QJsonObject partial = r.json().value(QStringLiteral("partialSuccess")).toObject();
        QCOMPARE(partial.value(QStringLiteral("rejectedLogRecords")).toInt(), 1);
        QVERIFY2(partial.value(QStringLiteral("errorMessage")).toString().contains(QStringLiteral("traceId")), r.body);
        QCOMPARE(items("/api/logs?service=otlp-partial").size(), 1);

        // Another media type is refused naming both of OTLP's, before the body is read.
        r = c.post("/v1/logs", QByteArray("<logs/>"), "application/xml");
        QCOMPARE(r.status, 415);
        QVERIFY(r.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("application/x-protobuf")));
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("Content-Type"));

        // Not OTLP at all: 400 with OTLP's INVALID_ARGUMENT and FlowGuard's error body; nothing stored.
        TestHttpClient c2(m_port);
        for (const QByteArray &bad : {QByteArray("{not json"), QByteArray("[{\"service\":\"otlp-bad\"}]"),
                                      QByteArray("{\"service\":\"otlp-bad\",\"message\":\"native\"}"),
                                      QByteArray("{\"resourceLogs\":5}"),
                                      QByteArray("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":{}}]}]}")}) {
            r = c2.post("/v1/logs", bad);
            QCOMPARE(r.status, 400);
            QCOMPARE(r.json().value(QStringLiteral("code")).toInt(), 3);
            QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("ValidationError"));
            QVERIFY(!r.json().value(QStringLiteral("message")).toString().isEmpty());
        }
        // Every record invalid: 400 naming the field, nothing stored.
        const QByteArray allBad = "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"otlp-bad\"}}]},"
                                  "\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"soon\"},{\"severityNumber\":99}]}]}]}";
        r = c2.post("/v1/logs", allBad);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("rejected")).toInt(), 2);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("timeUnixNano"));
        QCOMPARE(items("/api/logs?service=otlp-bad").size(), 0);
        // AnyValue nesting is bounded: 15 levels below the attribute are kept, 16 are refused naming the field.
        QCOMPARE(c2.post("/v1/logs", otlpLogWithNestedAttribute("otlp-deep", nowNsec(), 15)).status, 200);
        QCOMPARE(items("/api/logs?service=otlp-deep").size(), 1);
        r = c2.post("/v1/logs", otlpLogWithNestedAttribute("otlp-deep", nowNsec(), 16));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("attributes"));
        QCOMPARE(items("/api/logs?service=otlp-deep").size(), 1);
        // An empty request is a success.
        QCOMPARE(c2.post("/v1/logs", "{}").status, 200);
        QCOMPARE(c2.post("/v1/traces", "{\"resourceSpans\":[]}").status, 200);
    }

    void otlpProtobufFromTheJsSdk()
    {
        // Bodies the OpenTelemetry JS SDK's protobuf exporters sent (tools/otel-js-smoke, PROTO=1), replayed:
        // each answered with its Export*ServiceResponse in protobuf, and stored as its JSON twin would be.
        auto fixture = [](const char *name) {
            QFile f(QStringLiteral(FLOWGUARD_TEST_DATA "/otlp-js-proto/") + QLatin1String(name));
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        TestHttpClient c(m_port);
        HttpReply r = c.post("/v1/logs", fixture("logs.pb"), "application/x-protobuf");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/x-protobuf"));
        fg::otlppb::ExportLogsServiceResponse logsAnswer;
        QVERIFY(logsAnswer.ParseFromArray(r.body.constData(), int(r.body.size())));
        QCOMPARE(int(logsAnswer.partial_success().rejected_log_records()), 0);
        const QByteArray all = "&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z";
        const QJsonArray logs = items("/api/logs?service=otel-js-proto" + all);
        QCOMPARE(logs.size(), 2);
        const QJsonValue error = logs[1], info = logs[0]; // newest first
        QCOMPARE(str(error, "message"), QStringLiteral("payment gateway timeout after 3000 ms"));
        QCOMPARE(str(error, "level"), QStringLiteral("ERROR"));
        QCOMPARE(str(error, "endpoint"), QStringLiteral("/pay"));
        QCOMPARE(attrs(error).value(QStringLiteral("retry")).toInt(), 2);
        QCOMPARE(str(info, "level"), QStringLiteral("INFO"));
        QCOMPARE(QJsonDocument::fromJson(str(info, "message").toUtf8()).object(),
                 (QJsonObject{{QStringLiteral("msg"), QStringLiteral("retrying")}, {QStringLiteral("attempt"), 2}}));

        r = c.post("/v1/metrics", fixture("metrics.pb"), "application/x-protobuf");
        QCOMPARE(r.status, 200);
        fg::otlppb::ExportMetricsServiceResponse metricsAnswer;
        QVERIFY(metricsAnswer.ParseFromArray(r.body.constData(), int(r.body.size())));
        QCOMPARE(int(metricsAnswer.partial_success().rejected_data_points()), 0);
        const QByteArray metrics = "/api/metrics?service=otel-js-proto&limit=100" + all + "&name=";
        QCOMPARE(items(metrics + "queue.depth")[0].toObject().value(QStringLiteral("value")).toDouble(), 42.0);
        // The counter and the histogram are cumulative series that began before this FlowGuard: stored as
        // their baseline (0), with their attributes as tags, as their JSON twins are.
        for (const char *name : {"orders.failed", "http.server.request.duration.count", "http.server.request.duration.sum"}) {
            const QJsonArray points = items(metrics + name);
            QCOMPARE(points.size(), 1);
            QCOMPARE(points[0].toObject().value(QStringLiteral("type")).toString(), QStringLiteral("counter"));
            QCOMPARE(points[0].toObject().value(QStringLiteral("value")).toDouble(), 0.0);
            QCOMPARE(points[0].toObject().value(QStringLiteral("tags")).toObject().value(
                         QLatin1String(std::strcmp(name, "orders.failed") == 0 ? "route" : "http.route")).toString(),
                     QStringLiteral("/pay"));
        }

        r = c.post("/v1/traces", fixture("traces.pb"), "application/x-protobuf");
        QCOMPARE(r.status, 200);
        const QJsonArray spans = items("/api/logs?service=otel-js-proto&tag=span" + all);
        QCOMPARE(spans.size(), 1);
        QCOMPARE(str(spans[0], "message"), QStringLiteral("POST /pay"));
        QCOMPARE(str(spans[0], "level"), QStringLiteral("ERROR"));
        QCOMPARE(spans[0].toObject().value(QStringLiteral("status_code")).toInt(), 502);
        // Ids arrive as bytes and are kept as hex, so the trace is found by its id.
        const QString traceId = str(spans[0], "trace_id");
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{32}$")).match(traceId).hasMatch(), qPrintable(traceId));
        QCOMPARE(c.get("/api/traces/" + traceId.toLatin1()).json().value(QStringLiteral("span_count")).toInt(), 1);
    }

    void otlpProtobufPartialAndBadBodies()
    {
        // One record of two refused: partial success in protobuf, naming the field.
        fg::otlppb::ExportLogsServiceRequest request;
        auto *resource = request.add_resource_logs();
        auto *name = resource->mutable_resource()->add_attributes();
        name->set_key("service.name");
        name->mutable_value()->set_string_value("otlp-proto-partial");
        auto *scope = resource->add_scope_logs();
        auto *good = scope->add_log_records();
        good->set_time_unix_nano(quint64(nowNsec()));
        good->set_severity_number(13);
        good->mutable_body()->set_string_value("disk almost full");
        good->set_trace_id(std::string("\x4b\xf9\x2f\x35\x77\xb3\x4d\xa6\xa3\xce\x92\x9d\x0e\x0e\x47\x36", 16));
        auto *bad = scope->add_log_records();
        bad->set_severity_number(99);
        TestHttpClient c(m_port);
        HttpReply r = c.post("/v1/logs", QByteArray::fromStdString(request.SerializeAsString()), "application/x-protobuf");
        QCOMPARE(r.status, 200);
        fg::otlppb::ExportLogsServiceResponse answer;
        QVERIFY(answer.ParseFromArray(r.body.constData(), int(r.body.size())));
        QCOMPARE(int(answer.partial_success().rejected_log_records()), 1);
        QVERIFY2(QString::fromStdString(answer.partial_success().error_message()).contains(QStringLiteral("severityNumber")),
                 answer.partial_success().error_message().c_str());
        const QJsonArray stored = items("/api/logs?service=otlp-proto-partial");
        QCOMPARE(stored.size(), 1);
        QCOMPARE(str(stored[0], "level"), QStringLiteral("WARN"));
        QCOMPARE(str(stored[0], "trace_id"), QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));

        // Not a protobuf message of this signal: 400 with google.rpc.Status (INVALID_ARGUMENT) in protobuf.
        r = c.post("/v1/traces", QByteArray("\x0a\xff\xff\xff\x0f garbage", 10), "application/x-protobuf");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.header("content-type"), QByteArray("application/x-protobuf"));
        fg::otlppb::RpcStatus status;
        QVERIFY(status.ParseFromArray(r.body.constData(), int(r.body.size())));
        QCOMPARE(status.code(), 3);
        QVERIFY(!status.message().empty());
        // An empty request is a success.
        r = c.post("/v1/metrics", QByteArray(), "application/x-protobuf");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("application/x-protobuf"));
    }

    void otlpChunkedGzip()
    {
        // What the OpenTelemetry JS exporter sends with OTEL_EXPORTER_OTLP_COMPRESSION=gzip: chunked, no
        // Content-Length.
        const QByteArray body = gzip(otlpLogs("otlp-chunked", nowNsec()));
        QByteArray req = "POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n";
        for (qsizetype off = 0; off < body.size(); off += 37) {
            const QByteArray chunk = body.mid(off, 37);
            req += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
        }
        req += "0\r\n\r\n";
        TestHttpClient c(m_port);
        const HttpReply r = c.raw(req);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json(), kFullSuccess);
        QCOMPARE(items("/api/logs?service=otlp-chunked").size(), 2);
    }

    void otlpMetricsGaugeSumHistogram()
    {
        TestHttpClient c(m_port);
        const qint64 start = nowNsec(); // the series start after FlowGuard did: the first point counts whole
        HttpReply r = c.post("/v1/metrics", otlpMetrics("otlp-metrics", start, start + 60 * kNsPerSec, 7, 1, false));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json(), kFullSuccess);
        QCOMPARE(metricSum("otlp-metrics", "queue.depth"), 42.0);
        QCOMPARE(metricSum("otlp-metrics", "orders.failed"), 7.0);
        QCOMPARE(metricSum("otlp-metrics", "http.server.request.duration.count"), 120.0);
        QCOMPARE(metricSum("otlp-metrics", "http.server.request.duration.sum"), 21.7);
        const double p95 = metricSum("otlp-metrics", "http.server.request.duration.p95");
        QVERIFY2(std::abs(p95 - 0.475) < 1e-9, qPrintable(QString::number(p95)));
        const QJsonArray hist = items("/api/metrics?service=otlp-metrics&name=http.server.request.duration.p95&to=2100-01-01T00:00:00Z");
        QCOMPARE(hist[0].toObject().value(QStringLiteral("tags")).toObject().value(QStringLiteral("http.route")).toString(),
                 QStringLiteral("/pay"));

        // The same cumulative point exported again (SDKs do on shutdown): not counted twice.
        r = c.post("/v1/metrics", otlpMetrics("otlp-metrics", start, start + 60 * kNsPerSec, 7, 1, true));
        QCOMPARE(r.status, 200);
        QCOMPARE(metricSum("otlp-metrics", "orders.failed"), 7.0);
        QCOMPARE(metricSum("otlp-metrics", "http.server.request.duration.count"), 120.0);
        // The next export: only what happened since is added (counts as JSON numbers this time).
        r = c.post("/v1/metrics", otlpMetrics("otlp-metrics", start, start + 120 * kNsPerSec, 12, 3, true));
        QCOMPARE(r.status, 200);
        int points = 0;
        QCOMPARE(metricSum("otlp-metrics", "orders.failed", &points), 12.0);
        QCOMPARE(points, 2);
        QCOMPARE(metricSum("otlp-metrics", "http.server.request.duration.count"), 360.0);
        QCOMPARE(metricSum("otlp-metrics", "queue.depth", &points), 126.0); // gauges are values, three of them
        QCOMPARE(points, 3);

        // A series that began before this FlowGuard started may have been counted by an earlier run: its
        // first point is the baseline (0), later points count.
        const qint64 old = start - 3600 * kNsPerSec;
        QCOMPARE(c.post("/v1/metrics", otlpMetrics("otlp-restart", old, start, 500, 1, true)).status, 200);
        QCOMPARE(c.post("/v1/metrics", otlpMetrics("otlp-restart", old, start + 60 * kNsPerSec, 510, 1, true)).status, 200);
        QCOMPARE(metricSum("otlp-restart", "orders.failed"), 10.0);
        // A reset (the value drops: the process restarted with the same start) counts from zero again.
        QCOMPARE(c.post("/v1/metrics", otlpMetrics("otlp-restart", old, start + 120 * kNsPerSec, 4, 1, true)).status, 200);
        QCOMPARE(metricSum("otlp-restart", "orders.failed"), 14.0);

        // Unsupported point kinds are refused in partialSuccess; the rest is stored.
        r = c.post("/v1/metrics", otlpMetricsWithExponential("otlp-exp", nowNsec()));
        QCOMPARE(r.status, 200);
        const QJsonObject partial = r.json().value(QStringLiteral("partialSuccess")).toObject();
        QCOMPARE(partial.value(QStringLiteral("rejectedDataPoints")).toInt(), 1);
        QVERIFY(partial.value(QStringLiteral("errorMessage")).toString().contains(QStringLiteral("exponentialHistogram")));
        QCOMPARE(metricSum("otlp-exp", "temperature"), 21.5);
        // A histogram whose buckets do not add up to its count is refused, naming bucketCounts.
        const QByteArray badHist = "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"h\",\"histogram\":{\"aggregationTemporality\":1,"
                                   "\"dataPoints\":[{\"count\":5,\"bucketCounts\":[1,1],\"explicitBounds\":[1]}]}}]}]}]}";
        r = c.post("/v1/metrics", badHist);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("bucketCounts"));
    }

    void histogramP95Interpolation()
    {
        // Prometheus histogram_quantile: rank 0.95·120 = 114 falls in (0.25, 0.5] after 105 → 0.25 + 0.25·9/10.
        QCOMPARE(OtlpMetricDecoder::p95({30, 50, 25, 10, 4, 1}, {0.05, 0.1, 0.25, 0.5, 1}, NAN, NAN), 0.475);
        // In the +Inf bucket: the last bound, or max when given.
        QCOMPARE(OtlpMetricDecoder::p95({0, 0, 10}, {1, 2}, NAN, NAN), 2.0);
        QCOMPARE(OtlpMetricDecoder::p95({0, 0, 10}, {1, 2}, NAN, 4.0), 2.0 + 2.0 * 0.95);
        QVERIFY(std::isnan(OtlpMetricDecoder::p95({0, 0}, {1}, NAN, NAN)));
        // What the JS SDK sends for five values of 0.03…0.9 s in its default millisecond buckets: all in
        // (0, 5], narrowed to [min, max].
        QCOMPARE(OtlpMetricDecoder::p95({0, 5, 0}, {0, 5}, 0.03, 0.9), 0.03 + (0.9 - 0.03) * 0.95);
    }

    void otlpTracesFeedKpisAndTraceLookup()
    {
        TestHttpClient c(m_port);
        const QByteArray traceId = "5bf92f3577b34da6a3ce929d0e0e4736";
        const qint64 start = nowNsec() - kNsPerSec;
        HttpReply r = c.post("/v1/traces", otlpTraces("otlp-traces", traceId, start));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json(), kFullSuccess);

        const QJsonArray spans = items("/api/logs?trace_id=" + traceId);
        QCOMPARE(spans.size(), 2);
        const QJsonValue server = spans[1], client = spans[0];
        QCOMPARE(str(server, "message"), QStringLiteral("POST /pay"));
        QCOMPARE(str(server, "level"), QStringLiteral("ERROR"));
        QCOMPARE(str(server, "endpoint"), QStringLiteral("/pay"));
        QCOMPARE(server.toObject().value(QStringLiteral("latency_ms")).toDouble(), 412.0);
        QCOMPARE(server.toObject().value(QStringLiteral("status_code")).toInt(), 502);
        QCOMPARE(attrs(server).value(QStringLiteral("span.kind")).toString(), QStringLiteral("SERVER"));
        QCOMPARE(attrs(server).value(QStringLiteral("status_message")).toString(), QStringLiteral("upstream timeout"));
        QVERIFY(server.toObject().value(QStringLiteral("tags")).toArray().contains(QStringLiteral("span")));
        QCOMPARE(attrs(client).value(QStringLiteral("parent_span_id")).toString(), QStringLiteral("00f067aa0ba902b7"));
        QCOMPARE(attrs(client).value(QStringLiteral("duration_ms")).toDouble(), 80.0);
        QVERIFY(client.toObject().value(QStringLiteral("latency_ms")).isNull()); // a child span is no extra request

        // The trace as a tree, with a log of the child span under it.
        const QByteArray log = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":\"" + QByteArray::number(start)
                               + "\",\"body\":{\"stringValue\":\"card declined\"},\"traceId\":\"" + traceId
                               + "\",\"spanId\":\"00f067aa0ba902b8\"}]}]}]}";
        QCOMPARE(c.post("/v1/logs", log).status, 200);
        const HttpReply tree = c.get("/api/traces/" + traceId.toUpper());
        QCOMPARE(tree.status, 200);
        QCOMPARE(tree.json().value(QStringLiteral("span_count")).toInt(), 2);
        QCOMPARE(tree.json().value(QStringLiteral("log_count")).toInt(), 1);
        const QJsonArray roots = tree.json().value(QStringLiteral("spans")).toArray();
        QCOMPARE(roots.size(), 1);
        QCOMPARE(str(roots[0], "message"), QStringLiteral("POST /pay"));
        const QJsonArray kids = roots[0].toObject().value(QStringLiteral("children")).toArray();
        QCOMPARE(kids.size(), 1);
        QCOMPARE(str(kids[0], "message"), QStringLiteral("charge card"));
        QCOMPARE(str(kids[0].toObject().value(QStringLiteral("logs")).toArray()[0], "message"), QStringLiteral("card declined"));
        QCOMPARE(c.get("/api/traces/6bf92f3577b34da6a3ce929d0e0e4736").status, 404);
        QCOMPARE(c.get("/api/traces/not-a-trace").json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("trace_id"));

        // The server span is one failed request of 412 ms in the live KPIs.
        QJsonObject hour;
        QTRY_VERIFY_WITH_TIMEOUT((hour = [&] {
                                     const QJsonArray live = items("/api/kpis/live?service=otlp-traces");
                                     return live.isEmpty() ? QJsonObject()
                                                           : live[0].toObject().value(QStringLiteral("windows")).toObject()
                                                                 .value(QStringLiteral("1h")).toObject();
                                 }())
                                     .value(QStringLiteral("requests")).toInt() == 1,
                                 10000);
        QCOMPARE(hour.value(QStringLiteral("error_rate")).toDouble(), 1.0);
        QVERIFY(std::abs(hour.value(QStringLiteral("p95_latency_ms")).toDouble() - 412.0) < 412.0 * 0.02);

        // A span without ids is refused with its field.
        const QByteArray bad = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"x\",\"startTimeUnixNano\":\"1\",\"endTimeUnixNano\":\"2\"}]}]}]}";
        r = c.post("/v1/traces", bad);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("traceId"));
    }

    void traceTreeBoundedAndCycleSafe()
    {
        // A chain of 100 spans (each the parent of the next) and two spans naming each other as parent.
        std::vector<StoredLog> rows;
        auto span = [&](const std::string &id, const std::string &parent) {
            StoredLog row;
            row.record.spanId = id;
            row.record.tags = ",span,";
            row.record.attributes = "{\"parent_span_id\":\"" + parent + "\"}";
            rows.push_back(row);
        };
        for (int i = 0; i < 100; ++i)
            span(std::to_string(i + 1), i ? std::to_string(i) : std::string());
        span("x", "y");
        span("y", "x");
        const QJsonObject tree = TraceView::build(rows, [](const StoredLog &r) {
            return QJsonObject{{QStringLiteral("id"), QString::fromStdString(r.record.spanId)}};
        });
        // Every span appears once; no branch is deeper than kMaxDepth.
        int seen = 0, deepest = 0;
        std::vector<std::pair<QJsonArray, int>> stack{{tree.value(QStringLiteral("spans")).toArray(), 0}};
        while (!stack.empty()) {
            auto [list, depth] = stack.back();
            stack.pop_back();
            for (const QJsonValue &v : list) {
                ++seen;
                deepest = std::max(deepest, depth);
                stack.push_back({v.toObject().value(QStringLiteral("children")).toArray(), depth + 1});
            }
        }
        QCOMPARE(seen, 102);
        QCOMPARE(deepest, TraceView::kMaxDepth);
        QCOMPARE(tree.value(QStringLiteral("span_count")).toInt(), 102);
    }

    void lokiPushStoredAndQueryable()
    {
        TestHttpClient c(m_port);
        const qint64 t = nowNsec() - 5 * kNsPerSec; // its second line is a second later, still in the past
        HttpReply r = c.post("/loki/api/v1/push", lokiPush("loki-svc", t));
        QCOMPARE(r.status, 204);
        QVERIFY(r.body.isEmpty());
        const QJsonArray logs = items("/api/logs?service=loki-svc");
        QCOMPARE(logs.size(), 2);
        const QJsonValue first = logs[1];
        QCOMPARE(str(first, "message"), QStringLiteral("payment gateway timeout after 3000 ms"));
        QCOMPARE(str(first, "level"), QStringLiteral("ERROR"));
        QCOMPARE(str(first, "trace_id"), QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
        QCOMPARE(str(first, "ts"), QString::fromStdString(formatIsoMs(t)));
        QCOMPARE(attrs(first), (QJsonObject{{QStringLiteral("env"), QStringLiteral("prod")}}));
        QCOMPARE(str(logs[0], "message"), QStringLiteral("{\"level\":\"warn\",\"msg\":\"retrying\",\"attempt\":2}"));
        // The job label names the service when nothing better does.
        QCOMPARE(items("/api/logs?service=batch/loki-svc").size(), 1);

        // gzip, as clients send it.
        r = c.request("POST", "/loki/api/v1/push", gzip(lokiPush("loki-gz", t)),
                      {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
        QCOMPARE(r.status, 204);
        QCOMPARE(items("/api/logs?service=loki-gz").size(), 2);
    }

    void lokiProtobufPushStoredAndQueryable()
    {
        // What Promtail and Alloy send by default: a snappy block of logproto.PushRequest.
        const qint64 t = nowNsec() - 5 * kNsPerSec;
        fg::lokipb::PushRequest request;
        auto *stream = request.add_streams();
        stream->set_labels("{service_name=\"loki-pb\", level=\"error\", env=\"prod\", note=\"say \\\"hi\\\", twice\"}");
        auto *first = stream->add_entries();
        first->mutable_timestamp()->set_seconds(t / kNsPerSec);
        first->mutable_timestamp()->set_nanos(int(t % kNsPerSec));
        first->set_line("payment gateway timeout after 3000 ms");
        auto *meta = first->add_structuredmetadata();
        meta->set_name("trace_id");
        meta->set_value("4bf92f3577b34da6a3ce929d0e0e4736");
        auto *second = stream->add_entries();
        second->mutable_timestamp()->set_seconds(t / kNsPerSec + 1);
        second->set_line("retrying");
        auto *other = request.add_streams();
        other->set_labels("{}");
        auto *unnamed = other->add_entries();
        unnamed->mutable_timestamp()->set_seconds(t / kNsPerSec);
        unnamed->set_line("from nowhere in particular");
        const std::string raw = request.SerializeAsString();
        std::string body;
        snappy::Compress(raw.data(), raw.size(), &body);
        TestHttpClient c(m_port);
        const HttpReply r = c.post("/loki/api/v1/push", QByteArray::fromStdString(body), "application/x-protobuf");
        QCOMPARE(r.status, 204);
        const QJsonArray logs = items("/api/logs?service=loki-pb");
        QCOMPARE(logs.size(), 2);
        const QJsonValue oldest = logs[1];
        QCOMPARE(str(oldest, "message"), QStringLiteral("payment gateway timeout after 3000 ms"));
        QCOMPARE(str(oldest, "level"), QStringLiteral("ERROR"));
        QCOMPARE(str(oldest, "trace_id"), QStringLiteral("4bf92f3577b34da6a3ce929d0e0e4736"));
        QCOMPARE(str(oldest, "ts"), QString::fromStdString(formatIsoMs(t)));
        QCOMPARE(attrs(oldest), (QJsonObject{{QStringLiteral("env"), QStringLiteral("prod")},
                                             {QStringLiteral("note"), QStringLiteral("say \"hi\", twice")}}));
        QCOMPARE(str(logs[0], "message"), QStringLiteral("retrying"));
        QCOMPARE(items("/api/logs?q=from%20nowhere").size(), 1);
    }

    void lokiBadInput()
    {
        TestHttpClient c(m_port);
        // One bad entry: the other is stored and the answer says so (400, not retried by clients).
        HttpReply r = c.post("/loki/api/v1/push", lokiPushWithBadEntry("loki-partial", nowNsec()));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 1);
        QCOMPARE(r.json().value(QStringLiteral("rejected")).toInt(), 1);
        QCOMPARE(r.json().value(QStringLiteral("errors")).toArray()[0].toObject().value(QStringLiteral("index")).toInt(), 1);
        QCOMPARE(items("/api/logs?service=loki-partial").size(), 1);
        // Another media type → 415 naming both of Loki's.
        r = c.post("/loki/api/v1/push", QByteArray("<push/>"), "application/xml");
        QCOMPARE(r.status, 415);
        QVERIFY(r.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("application/x-protobuf")));
        // Protobuf that is not snappy, snappy that is not a PushRequest, a stream whose labels are not a label
        // set: 400 naming the body or the stream, nothing stored.
        fg::lokipb::PushRequest labelless;
        auto *stream = labelless.add_streams();
        stream->set_labels("service=loki-pb-bad");
        auto *entry = stream->add_entries();
        entry->mutable_timestamp()->set_seconds(nowNsec() / kNsPerSec);
        entry->set_line("x");
        std::string notPush;
        snappy::Compress("\x0a\xff\xff\xff\x0f garbage", 10, &notPush);
        std::string badLabels;
        snappy::Compress(labelless.SerializeAsString().data(), labelless.ByteSizeLong(), &badLabels);
        for (const std::string &bad : {std::string("\xff\x06\x00\x00sNaPpY", 10), notPush, badLabels}) {
            r = c.post("/loki/api/v1/push", QByteArray::fromStdString(bad), "application/x-protobuf");
            QCOMPARE(r.status, 400);
            QVERIFY2(r.json().value(QStringLiteral("message")).toString().contains(
                         bad == badLabels ? QStringLiteral("label set") : QStringLiteral("snappy")) || bad == notPush,
                     r.body);
        }
        QCOMPARE(items("/api/logs?service=loki-pb-bad").size(), 0);
        // Not a push body.
        TestHttpClient c2(m_port);
        for (const QByteArray &bad : {QByteArray("[1,2]"), QByteArray("{\"streams\":{}}"), QByteArray("{oops")}) {
            r = c2.post("/loki/api/v1/push", bad);
            QCOMPARE(r.status, 400);
            QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                     QStringLiteral("body"));
        }
        r = c2.post("/loki/api/v1/push", "{\"streams\":[{\"stream\":{\"service\":\"loki-bad\",\"n\":5},\"values\":[[\"1\",\"x\"]]}]}");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("stream"));
        QCOMPARE(items("/api/logs?service=loki-bad").size(), 0);
    }

    void rawLinesWithServiceParameter()
    {
        TestHttpClient c(m_port);
        const QByteArray lines = "GET /users/42 200 35ms\n\n"
                                 "ERROR db connection timeout after 5000 ms\r\n"
                                 "{\"service\":\"raw-json\",\"level\":\"warn\",\"message\":\"disk 91% full\"}\n"
                                 "{not json, a line that starts with a brace}\n";
        HttpReply r = c.post("/ingest?service=raw-svc", lines, "text/plain");
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 4);
        const QJsonArray logs = items("/api/logs?service=raw-svc");
        QCOMPARE(logs.size(), 3);
        QJsonObject error;
        for (const QJsonValue &l : logs)
            if (str(l, "message").startsWith(QStringLiteral("ERROR")))
                error = l.toObject();
        QCOMPARE(error.value(QStringLiteral("level")).toString(), QStringLiteral("ERROR")); // inferred
        const QJsonArray json = items("/api/logs?service=raw-json");
        QCOMPARE(json.size(), 1);
        QCOMPARE(str(json[0], "level"), QStringLiteral("WARN"));

        // NDJSON with service_name; a line without any service is refused naming the field.
        r = c.post("/ingest", "{\"service_name\":\"raw-nd\",\"message\":\"one\"}\n{\"message\":\"two\"}\n",
                   "application/x-ndjson");
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("rejected")).toInt(), 1);
        QCOMPARE(r.json().value(QStringLiteral("errors")).toArray()[0].toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("service"));
        QCOMPARE(items("/api/logs?service=raw-nd").size(), 1);
        // Plain text without ?service=: every line refused, 422, nothing stored.
        r = c.post("/ingest", "just a line\nanother\n", "text/plain");
        QCOMPARE(r.status, 422);
        QCOMPARE(r.json().value(QStringLiteral("rejected")).toInt(), 2);
        QVERIFY(r.json().value(QStringLiteral("errors")).toArray()[0].toObject().value(QStringLiteral("message"))
                    .toString().contains(QStringLiteral("?service=")));
        r = c.post("/ingest?service=raw-svc", "x", "image/png");
        QCOMPARE(r.status, 415);
    }

    // Runs last: counts what the tests above sent.
    void selfMetricsPrometheusText()
    {
        TestHttpClient c(m_port);
        const HttpReply r = c.get("/metrics");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("content-type"), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
        QVERIFY(r.body.endsWith('\n'));
        // Exposition format: every sample's family was announced with HELP and TYPE before it.
        const QRegularExpression sample(QStringLiteral(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\",?)*\\})? (-?[0-9.e+]+|\\+Inf|NaN)$"));
        QSet<QString> typed;
        QMap<QString, double> values;
        for (const QByteArray &line : r.body.split('\n')) {
            if (line.isEmpty())
                continue;
            const QString text = QString::fromUtf8(line);
            if (text.startsWith(QStringLiteral("# TYPE "))) {
                typed.insert(text.section(QLatin1Char(' '), 2, 2));
                continue;
            }
            if (text.startsWith(QStringLiteral("# HELP ")))
                continue;
            const QRegularExpressionMatch m = sample.match(text);
            QVERIFY2(m.hasMatch(), qPrintable(text));
            QString family = m.captured(1);
            for (const char *suffix : {"_bucket", "_sum", "_count"})
                if (!typed.contains(family) && family.endsWith(QLatin1String(suffix)))
                    family.chop(qsizetype(std::strlen(suffix)));
            QVERIFY2(typed.contains(family), qPrintable(text));
            values[m.captured(1) + m.captured(2)] = m.captured(3).toDouble();
        }
        // otlpLogs x2 (plain and chunked) of 2 records each, +1 partial, +1 nested: at least 6 committed.
        QVERIFY(values.value(QStringLiteral("flowguard_events_total{protocol=\"otlp\",signal=\"logs\"}")) >= 6);
        // Two spans of otlpTraces, one of the JS SDK's protobuf export.
        QCOMPARE(values.value(QStringLiteral("flowguard_events_total{protocol=\"otlp\",signal=\"spans\"}")), 3.0);
        QVERIFY(values.value(QStringLiteral("flowguard_ingest_rejected_total{protocol=\"loki\",signal=\"logs\"}")) >= 2);
        QVERIFY(values.value(QStringLiteral("flowguard_http_requests_total{route=\"/v1/logs\",status=\"415\"}")) >= 1);
        QVERIFY(values.value(QStringLiteral("flowguard_http_requests_total{route=\"/loki/api/v1/push\",status=\"204\"}")) >= 2);
        QVERIFY(values.value(QStringLiteral("flowguard_http_requests_total{route=\"/api/logs\",status=\"200\"}")) >= 10);
        // Two trace requests were committed, JSON and protobuf (the others were refused or empty).
        QCOMPARE(values.value(QStringLiteral("flowguard_ingest_commit_duration_seconds_count{protocol=\"otlp\",signal=\"spans\"}")), 2.0);
        // Probes at the root.
        QCOMPARE(c.get("/health").status, 200);
        QCOMPARE(c.get("/ready").status, 200);
    }
};

QTEST_GUILESS_MAIN(TstProtocols)
#include "tst_protocols.moc"
