#include "clientformats.h"

#include <QCoreApplication>

namespace fg {

namespace {
// The words of the list, translated in the context "ClientFormats".
struct Words {
    Q_DECLARE_TR_FUNCTIONS(ClientFormats)
};
} // namespace

QList<ClientFormat> clientFormats()
{
    return {
        {QStringLiteral("native-logs"), Words::tr("JSON logs (FlowGuard's own API)"),
         Words::tr("A JSON array, one object or NDJSON; service is required, the other fields are optional."),
         {QStringLiteral("/api/ingest/logs")},
         QStringLiteral("curl {auth}-d '[{\"service\":\"checkout\",\"level\":\"ERROR\",\"message\":\"payment failed\","
                        "\"endpoint\":\"/pay\",\"status_code\":502,\"latency_ms\":850}]' \\\n  {url}/api/ingest/logs")},
        {QStringLiteral("native-metrics"), Words::tr("JSON metrics (FlowGuard's own API)"),
         Words::tr("Named samples with tags, or a KPI snapshot whose numeric fields each become a sample."),
         {QStringLiteral("/api/ingest/metrics")},
         QStringLiteral("curl {auth}-d '{\"service\":\"checkout\",\"name\":\"queue.depth\",\"value\":42,"
                        "\"tags\":{\"queue\":\"payments\"}}' \\\n  {url}/api/ingest/metrics")},
        {QStringLiteral("otel-sdk"), Words::tr("OpenTelemetry SDK (OTLP/HTTP JSON)"),
         Words::tr("Set these in the environment of a service instrumented with an OpenTelemetry SDK: its logs, metrics and "
            "traces come here. FlowGuard speaks OTLP/HTTP with JSON bodies, not protobuf."),
         {QStringLiteral("/v1/logs"), QStringLiteral("/v1/metrics"), QStringLiteral("/v1/traces")},
         QStringLiteral("export OTEL_EXPORTER_OTLP_ENDPOINT={url}\nexport OTEL_EXPORTER_OTLP_PROTOCOL=http/json\n"
                        "export OTEL_SERVICE_NAME=checkout\n{otel_headers}")},
        {QStringLiteral("otlp-curl"), Words::tr("OTLP/HTTP JSON with curl"),
         Words::tr("One OTLP log record, as an SDK or collector would send it."),
         {QStringLiteral("/v1/logs")},
         QStringLiteral("curl {auth}-H 'Content-Type: application/json' {url}/v1/logs -d '{\"resourceLogs\":[{\"resource\":"
                        "{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"checkout\"}}]},"
                        "\"scopeLogs\":[{\"logRecords\":[{\"severityNumber\":17,\"body\":{\"stringValue\":"
                        "\"payment gateway timeout after 3000 ms\"}}]}]}]}'")},
        {QStringLiteral("loki"), Words::tr("Loki push (Promtail, Grafana Alloy, Fluent Bit)"),
         Words::tr("Point a Loki client's push URL here (JSON or its default snappy protobuf); the service comes from the service_name, service, app or job label."),
         {QStringLiteral("/loki/api/v1/push")},
         QStringLiteral("# Promtail / Alloy: url: {url}/loki/api/v1/push\ncurl {auth}-H 'Content-Type: application/json' "
                        "{url}/loki/api/v1/push -d '{\"streams\":[{\"stream\":{\"service_name\":\"checkout\","
                        "\"level\":\"error\"},\"values\":[[\"'$(date +%s%N)'\",\"payment gateway timeout\"]]}]}'")},
        {QStringLiteral("elastic-bulk"), Words::tr("Elasticsearch _bulk (Fluent Bit, Vector, Filebeat)"),
         Words::tr("Point a shipper's Elasticsearch output here; the index names the service unless a document has one."),
         {QStringLiteral("/_bulk")},
         QStringLiteral("# Fluent Bit: [OUTPUT] Name es with this host and port, Suppress_Type_Name On\n"
                        "printf '%s\\n' '{\"index\":{}}' '{\"message\":\"payment gateway timeout\",\"log.level\":\"error\"}' |\n"
                        "  curl {auth}-H 'Content-Type: application/x-ndjson' --data-binary @- {url}/checkout/_bulk")},
        {QStringLiteral("signal-logs"), Words::tr("Signal API with idempotent ids"),
         Words::tr("Logs with a signal_id (a UUID): sending the same one twice stores it once, so retries are safe."),
         {QStringLiteral("/ingest/logs")},
         QStringLiteral("curl {auth}-H 'Content-Type: application/json' {url}/ingest/logs -d '{\"signal_id\":\"'$(cat "
                        "/proc/sys/kernel/random/uuid)'\",\"service_name\":\"checkout\",\"level\":\"error\","
                        "\"message\":\"payment gateway timeout\"}'")},
        {QStringLiteral("events"), Words::tr("Application events"),
         Words::tr("Typed events with a source, severity (low to critical) and data; read back by id at /events/{id}."),
         {QStringLiteral("/events"), QStringLiteral("/events/batch")},
         QStringLiteral("curl {auth}-H 'Content-Type: application/json' {url}/events -d '{\"type\":\"payment.failed\","
                        "\"source\":\"checkout\",\"severity\":\"high\",\"data\":{\"order_id\":\"A-1001\"},"
                        "\"tags\":[\"payments\"]}'")},
        {QStringLiteral("raw-lines"), Words::tr("Plain log lines"),
         Words::tr("Any text, one event a line; levels and request fields are inferred from each line."),
         {QStringLiteral("/ingest")},
         QStringLiteral("tail -n 100 app.log | curl {auth}-H 'Content-Type: text/plain' --data-binary @- \\\n"
                        "  '{url}/ingest?service=checkout'")},
    };
}

QString renderSnippet(const ClientFormat &format, const QString &baseUrl, bool tokenRequired)
{
    QString s = format.snippet;
    s.replace(QStringLiteral("{url}"), baseUrl);
    s.replace(QStringLiteral("{auth}"), tokenRequired ? QStringLiteral("-H \"Authorization: Bearer $FLOWGUARD_TOKEN\" ") : QString());
    s.replace(QStringLiteral("{otel_headers}"),
              tokenRequired ? QStringLiteral("export OTEL_EXPORTER_OTLP_HEADERS=\"Authorization=Bearer $FLOWGUARD_TOKEN\"\n")
                            : QString());
    return s.trimmed();
}

} // namespace fg
