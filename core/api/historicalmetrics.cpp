#include "historicalmetrics.h"

#include <QJsonArray>
#include <QJsonObject>

#include <map>

#include "analysis/kpirollup.h"
#include "apierror.h"
#include "config/units.h"
#include "queryparams.h"
#include "queryrunner.h"
#include "store/storereader.h"

namespace fg {

namespace {
constexpr TimeNs kMinute = 60 * kNsPerSec;
constexpr TimeNs kMaxBuckets = 10'000;
constexpr std::size_t kMaxServices = 2'000; // a bounded query however many services there are
} // namespace

void historicalMetrics(const HttpRequest &request, QueryRunner *queries, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    auto time = [&](const char *name, TimeNs fallback, TimeNs &out) -> std::optional<ParamError> {
        const QString text = params.text(QLatin1String(name));
        if (text.isEmpty()) {
            out = fallback;
            return std::nullopt;
        }
        const auto t = parseTimeText(text.toStdString());
        if (!t)
            return ParamError{QLatin1String(name), QStringLiteral("must be ISO 8601 or epoch time")};
        out = *t;
        return std::nullopt;
    };
    TimeNs to = 0, from = 0;
    if (auto e = time("end", nowNs(), to))
        return responder.send(paramError(*e));
    if (auto e = time("start", to - 24 * 3600 * kNsPerSec, from))
        return responder.send(paramError(*e));
    if (from > to)
        return responder.send(paramError({QStringLiteral("start"), QStringLiteral("is after end")}));
    TimeNs step = 3600 * kNsPerSec;
    if (const QString interval = params.text(QStringLiteral("interval")); !interval.isEmpty()) {
        const auto s = parseDurationSeconds(interval.toStdString());
        if (!s || *s <= 0 || (*s * kNsPerSec) % kMinute)
            return responder.send(paramError({QStringLiteral("interval"), QStringLiteral("must be whole minutes, e.g. 5m, 1h or 1d")}));
        step = *s * kNsPerSec;
    }
    if ((to - from) / step > kMaxBuckets)
        return responder.send(paramError({QStringLiteral("interval"),
                                          QStringLiteral("gives more than %1 buckets for this range").arg(kMaxBuckets)}));
    queries->run(
        [from, to, step](StoreReader &reader) {
            std::map<TimeNs, KpiRollup> buckets;
            std::vector<ServiceInfo> services = reader.services();
            if (services.size() > kMaxServices)
                services.resize(kMaxServices);
            for (const ServiceInfo &s : services)
                for (const KpiRollup &k : reader.kpiRollups(s.name, {}, from - from % kMinute, to))
                    buckets[k.start - k.start % step].merge(k);
            QJsonArray points;
            const double seconds = double(step) / double(kNsPerSec);
            for (const auto &[start, k] : buckets) {
                points.append(QJsonObject{
                    {QStringLiteral("start"), QString::fromStdString(formatIsoMs(start))},
                    {QStringLiteral("events"), qint64(k.events)},
                    {QStringLiteral("events_per_second"), double(k.events) / seconds},
                    {QStringLiteral("requests"), qint64(k.requests)},
                    {QStringLiteral("error_rate"), k.errorRate()},
                    {QStringLiteral("avg_response_time_ms"),
                     k.latency.count() ? QJsonValue(k.latency.sum() / double(k.latency.count())) : QJsonValue()},
                    {QStringLiteral("p95_response_time_ms"), k.latency.empty() ? QJsonValue() : QJsonValue(k.latency.quantile(0.95))},
                });
            }
            return jsonResponse(200, QJsonObject{{QStringLiteral("success"), true},
                                                 {QStringLiteral("data"),
                                                  QJsonObject{{QStringLiteral("start"), QString::fromStdString(formatIsoMs(from))},
                                                              {QStringLiteral("end"), QString::fromStdString(formatIsoMs(to))},
                                                              {QStringLiteral("interval_s"), qint64(step / kNsPerSec)},
                                                              {QStringLiteral("points"), points}}}});
        },
        responder);
}

} // namespace fg
