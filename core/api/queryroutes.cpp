// The query routes: services, logs, traces, metric points and the events API's reads.
#include "apirouter.h"

#include <QJsonArray>

#include <cmath>

#include "apierror.h"
#include "eventqueries.h"
#include "historicalmetrics.h"
#include "queryjson.h"
#include "queryparams.h"
#include "queryrunner.h"
#include "store/storereader.h"
#include "traceview.h"

namespace fg {

using namespace queryjson;

namespace {

QJsonArray tagsJson(const std::string &wrapped)
{
    QJsonArray tags;
    for (const QString &t : QString::fromStdString(wrapped).split(QLatin1Char(','), Qt::SkipEmptyParts))
        tags.append(t);
    return tags;
}

QJsonObject logJson(const StoredLog &row)
{
    const LogRecord &r = row.record;
    return QJsonObject{
        {QStringLiteral("id"), QString::number(row.id)},
        {QStringLiteral("ts"), iso(r.ts)},
        {QStringLiteral("received_at"), iso(r.received)},
        {QStringLiteral("service"), QString::fromStdString(r.service)},
        {QStringLiteral("level"), QString::fromLatin1(levelName(r.level).data(), qsizetype(levelName(r.level).size()))},
        {QStringLiteral("level_raw"), str(r.levelRaw)},
        {QStringLiteral("message"), QString::fromStdString(r.message)},
        {QStringLiteral("latency_ms"), std::isnan(r.latencyMs) ? QJsonValue() : QJsonValue(r.latencyMs)},
        {QStringLiteral("status_code"), r.statusCode ? QJsonValue(r.statusCode) : QJsonValue()},
        {QStringLiteral("endpoint"), str(r.endpoint)},
        {QStringLiteral("method"), str(r.method)},
        {QStringLiteral("trace_id"), str(r.traceId)},
        {QStringLiteral("span_id"), str(r.spanId)},
        {QStringLiteral("signal_id"), str(r.signalId)},
        {QStringLiteral("attributes"), jsonObjectText(r.attributes)},
        {QStringLiteral("tags"), tagsJson(r.tags)},
    };
}

} // namespace

void ApiRouter::addQueryRoutes()
{
    m_routes.add({"GET", "/api/services", TokenScope::Read,
                  [this](HttpRequest &, const RouteParams &, const HttpResponder &out) { services(out); }});
    m_routes.add({"GET", "/api/logs/services", TokenScope::Read,
                  [this](HttpRequest &, const RouteParams &, const HttpResponder &out) { services(out); }, "/api/services"});
    m_routes.add({"GET", "/api/logs", TokenScope::Read,
                  [this](HttpRequest &request, const RouteParams &, const HttpResponder &out) { logs(request, out); }});
    m_routes.add({"GET", "/api/traces/{trace_id}", TokenScope::Read,
                  [this](HttpRequest &, const RouteParams &params, const HttpResponder &out) {
                      trace(params.raw("trace_id"), out);
                  }});
    m_routes.add({"GET", "/api/metrics", TokenScope::Read,
                  [this](HttpRequest &request, const RouteParams &, const HttpResponder &out) { metrics(request, out); }});
    m_routes.add({"GET", "/metrics/historical", TokenScope::Read,
                  [queries = m_deps.queries](HttpRequest &request, const RouteParams &, const HttpResponder &out) {
                      historicalMetrics(request, queries, out);
                  }});
    // The events API's reads (POST /events and /events/batch are ingest routes).
    m_routes.add({"GET", "/events", TokenScope::Read,
                  [queries = m_deps.queries](HttpRequest &request, const RouteParams &, const HttpResponder &out) {
                      eventList(request, queries, out);
                  }});
    m_routes.add({"GET", "/events/aggregations", TokenScope::Read,
                  [queries = m_deps.queries](HttpRequest &request, const RouteParams &, const HttpResponder &out) {
                      eventAggregations(request, queries, out);
                  }});
    m_routes.add({"GET", "/events/{id}", TokenScope::Read,
                  [queries = m_deps.queries](HttpRequest &request, const RouteParams &, const HttpResponder &out) {
                      eventById(request, queries, out);
                  }});
}

void ApiRouter::services(const HttpResponder &responder)
{
    m_deps.queries->run(
        [](StoreReader &reader) {
            QJsonArray items;
            for (const ServiceInfo &s : reader.services())
                items.append(QJsonObject{{QStringLiteral("name"), QString::fromStdString(s.name)},
                                         {QStringLiteral("first_seen"), iso(s.firstSeen)},
                                         {QStringLiteral("last_seen"), iso(s.lastSeen)},
                                         {QStringLiteral("log_count"), qint64(s.logCount)},
                                         {QStringLiteral("metric_count"), qint64(s.metricCount)},
                                         // What POST /api/logs/services/register stored (description, team, …).
                                         {QStringLiteral("registration"),
                                          s.registration.empty() ? QJsonValue() : jsonObjectText(s.registration)}});
            return jsonResponse(200, page(items, std::nullopt));
        },
        responder);
}

void ApiRouter::logs(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    LogQuery q;
    if (auto e = params.window(q.window, nowNs()))
        return responder.send(paramError(*e));
    if (auto e = params.level(q.minLevel))
        return responder.send(paramError(*e));
    if (auto e = params.search(q.contains))
        return responder.send(paramError(*e));
    q.service = params.text(QStringLiteral("service")).toStdString();
    q.tag = params.text(QStringLiteral("tag")).toStdString();
    q.traceId = params.text(QStringLiteral("trace_id")).toLower().toStdString();
    if (q.traceId.size() > 64)
        return responder.send(apiError(400, QStringLiteral("trace_id is at most 64 characters"),
                                       QJsonObject{{QStringLiteral("field"), QStringLiteral("trace_id")}}));
    m_deps.queries->run(
        [q](StoreReader &reader) {
            const Page<StoredLog> result = reader.logs(q);
            QJsonArray items;
            for (const StoredLog &row : result.items)
                items.append(logJson(row));
            return jsonResponse(200, page(items, result.nextCursor));
        },
        responder);
}

void ApiRouter::trace(const QByteArray &traceId, const HttpResponder &responder)
{
    constexpr int kMaxTraceEvents = 10'000;
    const QByteArray id = traceId.toLower();
    bool hex = id.size() == 32;
    for (char c : id)
        hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!hex)
        return responder.send(apiError(400, QStringLiteral("a trace id is 32 hex digits"),
                                       QJsonObject{{QStringLiteral("field"), QStringLiteral("trace_id")}}));
    LogQuery q;
    q.traceId = id.toStdString();
    // Every event of the trace whatever its time (spans may come from clocks ahead of ours).
    q.window.from = 0;
    q.window.to = kMaxTimeNs;
    q.window.limit = kMaxTraceEvents;
    m_deps.queries->run(
        [q, kMaxTraceEvents](StoreReader &reader) {
            const Page<StoredLog> rows = reader.logs(q);
            if (rows.items.empty())
                return apiError(404, QStringLiteral("no events of trace %1").arg(QString::fromStdString(q.traceId)),
                                QJsonObject{{QStringLiteral("field"), QStringLiteral("trace_id")}});
            QJsonObject tree = TraceView::build(rows.items, logJson);
            tree.insert(QStringLiteral("trace_id"), QString::fromStdString(q.traceId));
            // The newest kMaxTraceEvents are shown; a longer trace says so.
            tree.insert(QStringLiteral("truncated"), rows.nextCursor.has_value());
            tree.insert(QStringLiteral("max_events"), kMaxTraceEvents);
            return jsonResponse(200, tree);
        },
        responder);
}

void ApiRouter::metrics(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    MetricQuery q;
    TimeNs step = 0;
    if (auto e = params.step(step))
        return responder.send(paramError(*e));
    // Bucketed queries need a bounded window: the last hour unless from or range say otherwise.
    if (auto e = params.window(q.window, nowNs(), step ? 3600 : 0))
        return responder.send(paramError(*e));
    if (step && (q.window.to - q.window.from) / step > kMaxBuckets)
        return responder.send(paramError({QStringLiteral("step"),
                                          QStringLiteral("gives more than %1 buckets for this range").arg(kMaxBuckets)}));
    q.service = params.text(QStringLiteral("service")).toStdString();
    q.name = params.text(QStringLiteral("name")).toStdString();
    m_deps.queries->run(
        [q, step](StoreReader &reader) {
            QJsonArray items;
            if (!step) {
                const Page<StoredPoint> result = reader.metricPoints(q);
                for (const StoredPoint &p : result.items)
                    items.append(QJsonObject{{QStringLiteral("ts"), iso(p.sample.ts)},
                                             {QStringLiteral("service"), QString::fromStdString(p.sample.service)},
                                             {QStringLiteral("name"), QString::fromStdString(p.sample.name)},
                                             {QStringLiteral("type"), QLatin1String(metricTypeName(p.sample.type))},
                                             {QStringLiteral("tags"), jsonObjectText(p.sample.tags)},
                                             {QStringLiteral("value"), p.sample.value}});
                return jsonResponse(200, page(items, result.nextCursor));
            }
            for (const MetricBucket &b : reader.metricBuckets(q, step, kMaxBuckets))
                items.append(QJsonObject{{QStringLiteral("ts"), iso(b.start)},
                                         {QStringLiteral("service"), QString::fromStdString(b.service)},
                                         {QStringLiteral("name"), QString::fromStdString(b.name)},
                                         {QStringLiteral("type"), QLatin1String(metricTypeName(b.type))},
                                         {QStringLiteral("tags"), jsonObjectText(b.tags)},
                                         {QStringLiteral("avg"), b.avg},
                                         {QStringLiteral("min"), b.min},
                                         {QStringLiteral("max"), b.max},
                                         {QStringLiteral("sum"), b.sum},
                                         {QStringLiteral("count"), qint64(b.count)}});
            return jsonResponse(200, page(items, std::nullopt));
        },
        responder);
}

} // namespace fg
