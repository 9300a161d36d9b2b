#include "protocolpayloads.h"

namespace {

QByteArray n(qint64 v) { return QByteArray::number(v); }

QByteArray resource(const QByteArray &service)
{
    return R"({"attributes":[{"key":"service.name","value":{"stringValue":")" + service
           + R"("}},{"key":"deployment.environment.name","value":{"stringValue":"prod"}}]})";
}

} // namespace

QByteArray otlpLogs(const QByteArray &service, qint64 t)
{
    return R"({"resourceLogs":[{"resource":)" + resource(service) + R"(,
 "scopeLogs":[{"scope":{"name":"app"},"logRecords":[
   {"timeUnixNano":")" + n(t) + R"(","severityNumber":17,"severityText":"ERROR",
    "body":{"stringValue":"payment gateway timeout after 3000 ms"},
    "attributes":[{"key":"http.route","value":{"stringValue":"/pay"}},
                  {"key":"retry","value":{"intValue":"2"}}],
    "traceId":"4BF92F3577B34DA6A3CE929D0E0E4736","spanId":"00f067aa0ba902b7"},
   {"timeUnixNano":)" + n(t + 1000000) + R"(,"observedTimeUnixNano":")" + n(t + 2000000) + R"(","severityText":"warn",
    "body":{"kvlistValue":{"values":[{"key":"msg","value":{"stringValue":"retrying"}},
                                     {"key":"attempt","value":{"intValue":2}}]}},
    "attributes":[{"key":"flags","value":{"arrayValue":{"values":[{"boolValue":true},{"doubleValue":1.5}]}}}]}]}]},
 {"resource":{"attributes":[]},"scopeLogs":[{"logRecords":[
   {"observedTimeUnixNano":")" + n(t + 3000000) + R"(","body":{"stringValue":"no service here"}}]}]}]})";
}

QByteArray otlpLogsWithBadTraceId(const QByteArray &service, qint64 t)
{
    return R"({"resourceLogs":[{"resource":)" + resource(service) + R"(,"scopeLogs":[{"logRecords":[
   {"timeUnixNano":")" + n(t) + R"(","severityNumber":9,"body":{"stringValue":"bad id"},"traceId":"not-hex"},
   {"timeUnixNano":")" + n(t) + R"(","severityNumber":9,"body":{"stringValue":"good one"}}]}]}]})";
}

QByteArray otlpMetrics(const QByteArray &service, qint64 start, qint64 t, double ordersFailed, int scale, bool numbers)
{
    QByteArray buckets;
    qint64 total = 0;
    for (int c : {30, 50, 25, 10, 4, 1}) {
        if (!buckets.isEmpty())
            buckets += ',';
        const qint64 v = qint64(c) * scale;
        total += v;
        buckets += numbers ? n(v) : '"' + n(v) + '"';
    }
    const QByteArray count = numbers ? n(total) : '"' + n(total) + '"';
    return R"({"resourceMetrics":[{"resource":)" + resource(service) + R"(,
 "scopeMetrics":[{"scope":{"name":"app"},"metrics":[
  {"name":"http.server.request.duration","unit":"s","histogram":{"aggregationTemporality":2,"dataPoints":[
    {"startTimeUnixNano":")" + n(start) + R"(","timeUnixNano":")" + n(t) + R"(",
     "count":)" + count + R"(,"sum":)" + QByteArray::number(21.7 * scale) + R"(,"explicitBounds":[0.05,0.1,0.25,0.5,1],
     "bucketCounts":[)" + buckets + R"(],
     "attributes":[{"key":"http.route","value":{"stringValue":"/pay"}},
                   {"key":"http.response.status_code","value":{"intValue":200}}]}]}},
  {"name":"queue.depth","gauge":{"dataPoints":[{"timeUnixNano":")" + n(t) + R"(","asInt":"42"}]}},
  {"name":"orders.failed","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[
    {"startTimeUnixNano":")" + n(start) + R"(","timeUnixNano":")" + n(t) + R"(","asDouble":)"
           + QByteArray::number(ordersFailed) + R"(}]}}]}]}]})";
}

QByteArray otlpMetricsWithExponential(const QByteArray &service, qint64 t)
{
    return R"({"resourceMetrics":[{"resource":)" + resource(service) + R"(,"scopeMetrics":[{"metrics":[
  {"name":"latency.exp","exponentialHistogram":{"aggregationTemporality":1,"dataPoints":[
    {"timeUnixNano":")" + n(t) + R"(","count":"3","scale":2,"positive":{"offset":1,"bucketCounts":["3"]}}]}},
  {"name":"temperature","gauge":{"dataPoints":[{"timeUnixNano":")" + n(t) + R"(","asDouble":21.5}]}}]}]}]})";
}

QByteArray otlpTraces(const QByteArray &service, const QByteArray &traceId, qint64 start)
{
    return R"({"resourceSpans":[{"resource":)" + resource(service) + R"(,
 "scopeSpans":[{"scope":{"name":"app"},"spans":[
  {"traceId":")" + traceId + R"(","spanId":"00f067aa0ba902b7","name":"POST /pay","kind":2,
   "startTimeUnixNano":")" + n(start) + R"(","endTimeUnixNano":")" + n(start + 412000000) + R"(",
   "attributes":[{"key":"http.route","value":{"stringValue":"/pay"}},
                 {"key":"http.request.method","value":{"stringValue":"POST"}},
                 {"key":"http.response.status_code","value":{"intValue":"502"}}],
   "status":{"code":2,"message":"upstream timeout"}},
  {"traceId":")" + traceId + R"(","spanId":"00f067aa0ba902b8","parentSpanId":"00f067aa0ba902b7","name":"charge card",
   "kind":3,"startTimeUnixNano":")" + n(start + 10000000) + R"(","endTimeUnixNano":")" + n(start + 90000000) + R"(",
   "status":{}}]}]}]})";
}

QByteArray lokiPush(const QByteArray &service, qint64 t)
{
    return R"({"streams":[{"stream":{"service_name":")" + service + R"(","env":"prod","level":"error"},
  "values":[[")" + n(t) + R"(","payment gateway timeout after 3000 ms",{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}],
            [")" + n(t + 1000000000) + R"(","{\"level\":\"warn\",\"msg\":\"retrying\",\"attempt\":2}"]]},
  {"stream":{"job":"batch/)" + service + R"("},"values":[[")" + n(t) + R"(","nightly export done"]]}]})";
}

QByteArray lokiPushWithBadEntry(const QByteArray &service, qint64 t)
{
    return R"({"streams":[{"stream":{"service":")" + service + R"("},
  "values":[[")" + n(t) + R"(","kept line"],["yesterday","refused line"]]}]})";
}

QByteArray otlpLogWithNestedAttribute(const QByteArray &service, qint64 t, int depth)
{
    QByteArray value = R"({"stringValue":"leaf"})";
    for (int i = 0; i < depth; ++i)
        value = R"({"kvlistValue":{"values":[{"key":"k","value":)" + value + "}]}}";
    return R"({"resourceLogs":[{"resource":)" + resource(service) + R"(,"scopeLogs":[{"logRecords":[
   {"timeUnixNano":")" + n(t) + R"(","body":{"stringValue":"nested"},"attributes":[{"key":"deep","value":)" + value
           + R"(}]}]}]}]})";
}
