// The OpenTelemetry JS SDK exporters (OTLP/HTTP JSON, as they ship; PROTO=1: the OTLP/HTTP protobuf
// exporters, what the Go, Python and Java SDKs send by default) against a FlowGuard listener: two log
// records, a counter, a histogram and a gauge (exported twice: on flush and on shutdown) and one failed
// server span. `npm install && node send.js http://127.0.0.1:4318` (GZ=1: gzip, as
// OTEL_EXPORTER_OTLP_COMPRESSION=gzip does); then look for service otel-js in /api/logs and /api/metrics.
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { LoggerProvider, BatchLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const flavour = process.env.PROTO ? 'proto' : 'http';
const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-' + flavour);
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-' + flavour);
const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-' + flavour);
const base = process.argv[2];
const resource = resourceFromAttributes({ 'service.name': process.env.SERVICE || 'otel-js' });
const compression = process.env.GZ ? 'gzip' : undefined;
(async () => {
  const lp = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: base + "/v1/logs", compression }) })] });
  const logger = lp.getLogger('app');
  logger.emit({ severityNumber: 17, severityText: 'ERROR', body: 'payment gateway timeout after 3000 ms', attributes: { 'http.route': '/pay', retry: 2 } });
  logger.emit({ severityNumber: 9, body: { msg: 'retrying', attempt: 2 } });
  await lp.forceFlush(); await lp.shutdown();

  const mp = new MeterProvider({ resource, readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: base + '/v1/metrics', compression }), exportIntervalMillis: 1000 })] });
  const meter = mp.getMeter('app');
  const c = meter.createCounter('orders.failed'); c.add(7, { route: '/pay' });
  const h = meter.createHistogram('http.server.request.duration', { unit: 's' });
  for (const v of [0.03, 0.07, 0.2, 0.4, 0.9]) h.record(v, { 'http.route': '/pay' });
  const g = meter.createObservableGauge('queue.depth'); g.addCallback(r => r.observe(42));
  await mp.forceFlush(); await mp.shutdown(); // exported twice: flush and shutdown

  const tp = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: base + "/v1/traces", compression }))] });
  const tracer = tp.getTracer('app');
  const span = tracer.startSpan('POST /pay', { kind: 1, attributes: { 'http.route': '/pay', 'http.response.status_code': 502 } });
  span.setStatus({ code: 2, message: 'upstream timeout' });
  await new Promise(r => setTimeout(r, 50)); span.end();
  await tp.forceFlush(); await tp.shutdown();
  console.log('sent');
})().catch(e => { console.error('FAILED', e); process.exit(1); });
