// The analytics routes: KPIs (stored and live), anomalies, health scores and error patterns.
#include "apirouter.h"

#include <QJsonArray>

#include <cmath>
#include <limits>
#include <map>

#include "analysis/analysisworker.h"
#include "analysis/baselineband.h"
#include "analysis/endpointnormalizer.h"
#include "analysis/detectionsettings.h"
#include "analysis/healthscore.h"
#include "apierror.h"
#include "ingeststats.h"
#include "queryjson.h"
#include "queryparams.h"
#include "queryrunner.h"
#include "store/storereader.h"

namespace fg {

using namespace queryjson;

void ApiRouter::addAnalyticsRoutes()
{
    m_routes.add({"GET", "/api/kpis", TokenScope::Read,
                  [this](HttpRequest &request, const RouteParams &, const HttpResponder &out) { kpis(request, out); }});
    m_routes.add({"GET", "/api/kpis/live", TokenScope::Read,
                  [this](HttpRequest &request, const RouteParams &, const HttpResponder &out) { out.send(liveKpis(request)); }});
    m_routes.add({"GET", "/metrics/realtime", TokenScope::Read,
                  [this](HttpRequest &, const RouteParams &, const HttpResponder &out) { out.send(realtimeMetrics()); }});
    m_routes.add({"GET", "/api/anomalies", TokenScope::Read,
                  [this](HttpRequest &request, const RouteParams &, const HttpResponder &out) { anomalies(request, out); }});
    m_routes.add({"GET", "/api/health/services", TokenScope::Read,
                  [this](HttpRequest &request, const RouteParams &, const HttpResponder &out) {
                      health(request, {}, false, out);
                  }});
    m_routes.add({"GET", "/api/health/services/{name}", TokenScope::Read,
                  [this](HttpRequest &request, const RouteParams &params, const HttpResponder &out) {
                      health(request, params.decoded("name").toStdString(), true, out);
                  }});
    m_routes.add({"GET", "/api/analytics/errors/patterns", TokenScope::Read,
                  [this](HttpRequest &request, const RouteParams &, const HttpResponder &out) { errorPatterns(request, out); }});
}

void ApiRouter::kpis(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    const std::string service = params.text(QStringLiteral("service")).toStdString();
    if (service.empty())
        return responder.send(paramError({QStringLiteral("service"), QStringLiteral("is required")}));
    // Raw paths are accepted too: /users/42 means the route /users/{id}.
    const QString endpointText = params.text(QStringLiteral("endpoint"));
    const std::string endpoint = endpointText.isEmpty() ? std::string() : normalizeEndpoint(endpointText.toStdString());
    TimeWindow window;
    if (auto e = params.window(window, nowNs(), 3600))
        return responder.send(paramError(*e));
    TimeNs step = 0;
    if (auto e = params.step(step))
        return responder.send(paramError(*e));
    constexpr TimeNs kMinute = 60 * kNsPerSec;
    if (step == 0)
        step = kMinute;
    if (step % kMinute)
        return responder.send(paramError({QStringLiteral("step"), QStringLiteral("must be whole minutes, e.g. 1m, 5m, 1h")}));
    if ((window.to - window.from) / step > kMaxBuckets)
        return responder.send(paramError({QStringLiteral("step"),
                                          QStringLiteral("gives more than %1 buckets for this range").arg(kMaxBuckets)}));
    // baseline=1 adds each step's learned band (p95 latency, error rate, throughput) from the steps before
    // it, so the history behind the first step is read too.
    const bool withBaseline = params.text(QStringLiteral("baseline")) == QLatin1String("1");
    const std::size_t trailSteps = std::max<std::size_t>(30, std::size_t(120 * kMinute / step));
    m_deps.queries->run(
        [service, endpoint, window, step, withBaseline, trailSteps](StoreReader &reader) {
            // Minutes that overlap the window, merged into steps aligned to the epoch.
            const TimeNs from = window.from - window.from % kMinute;
            const TimeNs readFrom = withBaseline ? from - TimeNs(trailSteps) * step : from;
            std::map<TimeNs, KpiRollup> steps;
            for (KpiRollup &k : reader.kpiRollups(service, endpoint, readFrom, window.to)) {
                const TimeNs start = k.start - k.start % step;
                auto [it, fresh] = steps.try_emplace(start);
                if (fresh)
                    it->second.start = start;
                it->second.merge(k);
            }
            const double stepSeconds = double(step) / double(kNsPerSec);
            auto quantile = [](const KpiRollup &k, double q) {
                return k.latency.empty() ? QJsonValue() : QJsonValue(k.latency.quantile(q));
            };
            auto throughput = [stepSeconds](const KpiRollup &k) { return double(k.requests ? k.requests : k.events) / stepSeconds; };
            static const char *kBandKpis[] = {"p95_latency_ms", "error_rate", "throughput_rps"};
            std::vector<std::optional<BaselineBand>> bands[3];
            if (withBaseline) {
                std::vector<double> series[3];
                for (const auto &[start, k] : steps) {
                    series[0].push_back(k.latency.empty() ? NAN : k.latency.quantile(0.95));
                    series[1].push_back(k.errorRate());
                    series[2].push_back(throughput(k));
                }
                for (int i = 0; i < 3; ++i)
                    bands[i] = trailingBaselineBands(series[i], trailSteps);
            }
            QJsonArray items;
            std::size_t index = 0;
            for (const auto &[start, k] : steps) {
                const std::size_t at = index++;
                if (start < window.from - window.from % step)
                    continue; // history read only for the baseline
                QJsonObject item{
                    {QStringLiteral("ts"), iso(start)},
                    {QStringLiteral("events"), qint64(k.events)},
                    {QStringLiteral("requests"), qint64(k.requests)},
                    {QStringLiteral("errors"), qint64(k.requests ? k.requestErrors : k.errorEvents)},
                    {QStringLiteral("error_rate"), k.errorRate()},
                    {QStringLiteral("throughput_rps"), throughput(k)},
                    {QStringLiteral("p50_latency_ms"), quantile(k, 0.50)},
                    {QStringLiteral("p95_latency_ms"), quantile(k, 0.95)},
                    {QStringLiteral("p99_latency_ms"), quantile(k, 0.99)},
                };
                if (withBaseline) {
                    QJsonObject baseline;
                    for (int i = 0; i < 3; ++i)
                        if (const auto &b = bands[i][at])
                            baseline.insert(QLatin1String(kBandKpis[i]),
                                            QJsonObject{{QStringLiteral("low"), b->low},
                                                        {QStringLiteral("median"), b->median},
                                                        {QStringLiteral("high"), b->high}});
                    item.insert(QStringLiteral("baseline"), baseline);
                }
                items.append(item);
            }
            return jsonResponse(200, QJsonObject{{QStringLiteral("service"), QString::fromStdString(service)},
                                                 {QStringLiteral("endpoint"), QString::fromStdString(endpoint)},
                                                 {QStringLiteral("items"), items},
                                                 {QStringLiteral("next_cursor"), QJsonValue()}});
        },
        responder);
}

void ApiRouter::anomalies(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    TimeWindow window;
    if (auto e = params.window(window, nowNs()))
        return responder.send(paramError(*e));
    const std::string service = params.text(QStringLiteral("service")).toStdString();
    m_deps.queries->run(
        [service, window](StoreReader &reader) {
            const Page<StoredAnomaly> result = reader.anomalies(service, window);
            QJsonArray items;
            for (const StoredAnomaly &s : result.items) {
                const AnomalyRecord &a = s.anomaly;
                items.append(QJsonObject{
                    {QStringLiteral("id"), QString::number(s.id)},
                    {QStringLiteral("service"), QString::fromStdString(a.service)},
                    {QStringLiteral("endpoint"), str(a.endpoint)},
                    {QStringLiteral("kind"), QString::fromStdString(a.kind)},
                    {QStringLiteral("metric"), str(a.metric)},
                    {QStringLiteral("state"), a.endedAt ? QStringLiteral("resolved") : QStringLiteral("open")},
                    {QStringLiteral("started_at"), iso(a.startedAt)},
                    {QStringLiteral("ended_at"), a.endedAt ? iso(a.endedAt) : QJsonValue()},
                    {QStringLiteral("updated_at"), iso(a.updatedAt)},
                    {QStringLiteral("duration_s"), double(((a.endedAt ? a.endedAt : a.updatedAt) - a.startedAt) / kNsPerSec)},
                    {QStringLiteral("score"), a.score},
                    {QStringLiteral("signals"), QJsonDocument::fromJson(QByteArray::fromStdString(s.indicatorsJson)).array()},
                    {QStringLiteral("explanation"), QString::fromStdString(a.explanation)},
                    {QStringLiteral("recommendation"), QString::fromStdString(a.recommendation)},
                });
            }
            return jsonResponse(200, page(items, result.nextCursor));
        },
        responder);
}

namespace {

constexpr TimeNs kMinuteNs = 60 * kNsPerSec;
constexpr TimeNs kFreshness = 10 * kMinuteNs;

// The last 5 closed minutes of a service or route against the hour before them.
// The last five closed minutes against the hour before them, or — while a degradation is open since
// `openSince` — against the hour before it began.
HealthInputs healthInputs(StoreReader &reader, const std::string &service, const std::string &endpoint,
                          TimeNs openSince = 0)
{
    HealthInputs in;
    const auto latest = reader.latestKpiMinute(service, endpoint);
    if (!latest)
        return in;
    const TimeNs recentFrom = *latest - 4 * kMinuteNs;
    const TimeNs baselineTo = openSince > 0 ? std::min(openSince, recentFrom) : recentFrom;
    auto add = [](std::optional<KpiRollup> &into, const KpiRollup &k) {
        if (!into)
            into = k;
        else
            into->merge(k);
    };
    for (const KpiRollup &k : reader.kpiRollups(service, endpoint, recentFrom, *latest))
        add(in.recent, k);
    for (const KpiRollup &k : reader.kpiRollups(service, endpoint, baselineTo - 60 * kMinuteNs, baselineTo - 1))
        add(in.baseline, k);
    return in;
}

QJsonObject healthJson(const HealthScore &h)
{
    auto num = [](double v) { return std::isfinite(v) ? QJsonValue(std::round(v * 1000) / 1000) : QJsonValue(); };
    return QJsonObject{
        {QStringLiteral("score"), h.score ? QJsonValue(*h.score) : QJsonValue()},
        {QStringLiteral("status"), QString::fromStdString(h.status)},
        // Points taken off 100 by each component (see computeHealth).
        {QStringLiteral("penalties"),
         QJsonObject{{QStringLiteral("errors"), num(h.errorPenalty)},
                     {QStringLiteral("latency"), num(h.latencyPenalty)},
                     {QStringLiteral("anomalies"), num(h.anomalyPenalty)}}},
        {QStringLiteral("kpis"),
         QJsonObject{{QStringLiteral("error_rate"), num(h.errorRate)},
                     {QStringLiteral("p95_latency_ms"), h.p95Ms > 0 ? num(h.p95Ms) : QJsonValue()},
                     {QStringLiteral("baseline_p95_latency_ms"), h.baselineP95Ms > 0 ? num(h.baselineP95Ms) : QJsonValue()}}},
    };
}

} // namespace

namespace {
constexpr int kDefaultHealthPage = 500;
constexpr int kMaxHealthPage = 1000;
} // namespace

void ApiRouter::health(const HttpRequest &request, const std::string &name, bool one, const HttpResponder &responder)
{
    // The list pages by service name: each service costs a few queries, so one answer covers at most
    // `limit` of them whatever their number.
    const QueryParams params(request.query);
    int limit = kDefaultHealthPage;
    if (params.has(QStringLiteral("limit"))) {
        bool valid = false;
        limit = params.text(QStringLiteral("limit")).toInt(&valid);
        if (!valid || limit < 1 || limit > kMaxHealthPage)
            return responder.send(paramError({QStringLiteral("limit"),
                                              QStringLiteral("must be a whole number from 1 to %1").arg(kMaxHealthPage)}));
    }
    const std::string after = QByteArray::fromBase64(params.text(QStringLiteral("cursor")).toLatin1(),
                                                     QByteArray::Base64UrlEncoding)
                                  .toStdString();
    m_deps.queries->run(
        [name, one, limit, after](StoreReader &reader) {
            const TimeNs now = nowNs();
            const DetectionSettings settings = DetectionSettings::stored(reader.setting("detection"));
            QJsonArray items;
            QJsonObject detail;
            QJsonValue next;
            std::string lastListed;
            for (const ServiceInfo &svc : reader.services()) { // ordered by name
                if (one ? svc.name != name : !after.empty() && svc.name <= after)
                    continue;
                if (!one && items.size() == limit) {
                    next = QString::fromLatin1(QByteArray::fromStdString(lastListed)
                                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
                    break;
                }
                lastListed = svc.name;
                TimeWindow all{0, std::numeric_limits<TimeNs>::max(), std::nullopt, 100};
                const std::vector<StoredAnomaly> anomalies = reader.anomalies(svc.name, all).items;
                TimeNs openSince = 0;
                for (const StoredAnomaly &a : anomalies)
                    if (!a.anomaly.endedAt && (!openSince || a.anomaly.startedAt < openSince))
                        openSince = a.anomaly.startedAt;
                HealthInputs in = healthInputs(reader, svc.name, {}, openSince);
                in.fresh = now - svc.lastReceived < kFreshness;
                if (auto slo = settings.slos.find(svc.name); slo != settings.slos.end()) {
                    in.sloP95Ms = slo->second.p95LatencyMs;
                    in.sloErrorRate = slo->second.errorRate;
                }
                QJsonArray open;
                for (const StoredAnomaly &a : anomalies) {
                    if (a.anomaly.endedAt)
                        continue;
                    ++in.openAnomalies;
                    in.worstAnomalyScore = std::max(in.worstAnomalyScore, a.anomaly.score);
                    open.append(QJsonObject{{QStringLiteral("id"), QString::number(a.id)},
                                            {QStringLiteral("started_at"), iso(a.anomaly.startedAt)},
                                            {QStringLiteral("score"), a.anomaly.score},
                                            {QStringLiteral("explanation"), QString::fromStdString(a.anomaly.explanation)}});
                }
                QJsonObject o = healthJson(computeHealth(in));
                o.insert(QStringLiteral("service"), QString::fromStdString(svc.name));
                o.insert(QStringLiteral("last_received"), svc.lastReceived ? iso(svc.lastReceived) : QJsonValue());
                o.insert(QStringLiteral("open_anomalies"), in.openAnomalies);
                if (!one) {
                    items.append(o);
                    continue;
                }
                o.insert(QStringLiteral("anomalies"), open);
                QJsonArray endpoints;
                const auto latest = reader.latestKpiMinute(svc.name, {});
                for (const std::string &e : reader.kpiEndpoints(svc.name, latest.value_or(0) - 60 * kMinuteNs)) {
                    HealthInputs ein = healthInputs(reader, svc.name, e, openSince);
                    ein.fresh = in.fresh;
                    QJsonObject eo = healthJson(computeHealth(ein));
                    eo.insert(QStringLiteral("endpoint"), QString::fromStdString(e));
                    endpoints.append(eo);
                }
                o.insert(QStringLiteral("endpoints"), endpoints);
                detail = o;
            }
            if (one && detail.isEmpty())
                return apiError(404, QStringLiteral("no such service: %1").arg(QString::fromStdString(name)),
                                QJsonObject{{QStringLiteral("service"), QString::fromStdString(name)}});
            if (one)
                return jsonResponse(200, detail);
            return jsonResponse(200, QJsonObject{{QStringLiteral("items"), items}, {QStringLiteral("next_cursor"), next}});
        },
        responder);
}

void ApiRouter::errorPatterns(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    TimeWindow window;
    if (auto e = params.window(window, nowNs(), 3600))
        return responder.send(paramError(*e));
    Level minLevel = Level::Unknown;
    if (auto e = params.level(minLevel))
        return responder.send(paramError(*e));
    if (!params.has(QStringLiteral("level")))
        minLevel = Level::Error; // error patterns unless asked otherwise
    const std::string service = params.text(QStringLiteral("service")).toStdString();
    m_deps.queries->run(
        [service, window, minLevel](StoreReader &reader) {
            QJsonArray items;
            for (const StoredTemplate &t : reader.templates(service, minLevel, window.from, window.to, window.limit)) {
                if (t.inRange == 0 && (t.lastSeen < window.from || t.firstSeen > window.to))
                    continue;
                items.append(QJsonObject{
                    {QStringLiteral("service"), QString::fromStdString(t.service)},
                    {QStringLiteral("template_id"), QString::number(t.id)},
                    {QStringLiteral("template"), QString::fromStdString(t.text)},
                    {QStringLiteral("sample"), QString::fromStdString(t.sample)},
                    {QStringLiteral("level"), QString::fromLatin1(levelName(t.maxLevel).data(), qsizetype(levelName(t.maxLevel).size()))},
                    {QStringLiteral("count"), qint64(t.inRange)},
                    {QStringLiteral("total"), qint64(t.total)},
                    {QStringLiteral("first_seen"), iso(t.firstSeen)},
                    {QStringLiteral("last_seen"), iso(t.lastSeen)},
                });
            }
            return jsonResponse(200, page(items, std::nullopt));
        },
        responder);
}

HttpResponse ApiRouter::realtimeMetrics() const
{
    KpiRollup total;
    int services = 0;
    for (const auto &[service, w] : m_deps.analysis->live().snapshot()) {
        total.merge(w.lastMinute);
        ++services;
    }
    const DDSketch &latency = total.latency;
    const QJsonObject data{
        {QStringLiteral("window"), QStringLiteral("1m")},
        {QStringLiteral("services"), services},
        {QStringLiteral("events_per_second"), double(total.events) / 60.0},
        {QStringLiteral("requests_per_second"), double(total.requests) / 60.0},
        {QStringLiteral("error_rate"), total.errorRate()},
        {QStringLiteral("avg_response_time_ms"),
         latency.count() ? QJsonValue(latency.sum() / double(latency.count())) : QJsonValue()},
        {QStringLiteral("p95_response_time_ms"), latency.empty() ? QJsonValue() : QJsonValue(latency.quantile(0.95))},
        {QStringLiteral("ingest_accepted_total"), qint64(m_deps.ingestStats->itemsAccepted)},
    };
    return jsonResponse(200, QJsonObject{{QStringLiteral("success"), true}, {QStringLiteral("data"), data}});
}

HttpResponse ApiRouter::liveKpis(const HttpRequest &request) const
{
    const QueryParams params(request.query);
    const std::string only = params.text(QStringLiteral("service")).toStdString();
    auto window = [](const KpiRollup &k, double seconds) {
        auto q = [&k](double p) { return k.latency.empty() ? QJsonValue() : QJsonValue(k.latency.quantile(p)); };
        return QJsonObject{{QStringLiteral("events"), qint64(k.events)},
                           {QStringLiteral("requests"), qint64(k.requests)},
                           {QStringLiteral("error_rate"), k.errorRate()},
                           {QStringLiteral("throughput_rps"), double(k.requests ? k.requests : k.events) / seconds},
                           {QStringLiteral("p50_latency_ms"), q(0.5)},
                           {QStringLiteral("p95_latency_ms"), q(0.95)},
                           {QStringLiteral("p99_latency_ms"), q(0.99)}};
    };
    // From memory, no SQL: answered on the listener thread.
    QJsonArray items;
    for (const auto &[service, w] : m_deps.analysis->live().snapshot()) {
        if (!only.empty() && service != only)
            continue;
        items.append(QJsonObject{{QStringLiteral("service"), QString::fromStdString(service)},
                                 {QStringLiteral("newest_minute"), iso(w.newest)},
                                 {QStringLiteral("windows"),
                                  QJsonObject{{QStringLiteral("1m"), window(w.lastMinute, 60)},
                                              {QStringLiteral("5m"), window(w.last5Minutes, 60.0 * w.minutes5)},
                                              {QStringLiteral("1h"), window(w.lastHour, 60.0 * w.minutes60)}}}});
    }
    return jsonResponse(200, page(items, std::nullopt));
}

} // namespace fg
