#pragma once

#include <QByteArray>

// Realistic bodies of the wire formats FlowGuard speaks besides its own (shapes from the OTLP
// specification's examples, what the OpenTelemetry JS exporters and winston-loki send, and the Loki
// push API). Kept out of the test files with Q_OBJECT classes: moc in Qt 6.4 trips over raw strings.
// Times are nanoseconds; a service name makes each test's data its own.

// logs: the wire-formats.md sample (severityNumber 17, http.route, intValue as string, trace/span id)
// plus a record as the JS SDK sends it (intValue as number, time as string, severityText only, kvlist
// body) and one of a resource without service.name.
QByteArray otlpLogs(const QByteArray &service, qint64 timeNs);
// One log record with the given traceId (to test rejection) and a valid one after it.
QByteArray otlpLogsWithBadTraceId(const QByteArray &service, qint64 timeNs);
// One log record with an attribute of kvlistValues nested depth levels deep.
QByteArray otlpLogWithNestedAttribute(const QByteArray &service, qint64 timeNs, int depth);
// gauge queue.depth=42, a cumulative monotonic sum orders.failed=value, and a cumulative histogram
// http.server.request.duration with bucketCounts 30,50,25,10,4,1 (count 120, p95 0.475 s) × scale.
QByteArray otlpMetrics(const QByteArray &service, qint64 startNs, qint64 timeNs, double ordersFailed, int scale,
                       bool countsAsNumbers);
// One exponentialHistogram point (unsupported) and one gauge point.
QByteArray otlpMetricsWithExponential(const QByteArray &service, qint64 timeNs);
// A SERVER span POST /pay of 412 ms with status ERROR and http.response.status_code 502, and a CLIENT
// child span of 80 ms, both in trace traceId.
QByteArray otlpTraces(const QByteArray &service, const QByteArray &traceId, qint64 startNs);
// The Loki push sample: labels service_name, env, level; a line with trace_id metadata and a JSON line.
QByteArray lokiPush(const QByteArray &service, qint64 timeNs);
// Two entries, the second with a timestamp that is not a number.
QByteArray lokiPushWithBadEntry(const QByteArray &service, qint64 timeNs);
