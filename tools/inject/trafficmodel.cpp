#include "trafficmodel.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

#include "dailycycle.h"
#include "scenario.h"

namespace fg::inject {

namespace {

constexpr qint64 kMinute = 60 * 1000;

const char *const kServiceNames[] = {"checkout", "auth",     "search",   "inventory", "payments",
                                     "users",    "catalog",  "shipping", "notify",    "reviews"};
struct RouteName {
    const char *method;
    const char *path;
};
const RouteName kRouteNames[] = {
    {"GET", "/api/products"}, {"POST", "/api/orders"},  {"GET", "/api/cart"},     {"POST", "/api/login"},
    {"GET", "/api/search"},   {"GET", "/api/stock"},    {"GET", "/api/profile"},  {"POST", "/api/payments"},
    {"GET", "/api/sessions"}, {"GET", "/api/shipments"}, {"POST", "/api/reviews"}, {"GET", "/api/recommendations"},
};

// Messages are plain ASCII without quotes or backslashes, so they go into JSON as they are.
const char *const kBackgroundMessages[] = {
    "unhandled exception in request handler: NullPointerException at OrderMapper.java:88",
    "upstream returned 502 Bad Gateway after retries",
    "deadline exceeded calling downstream service after 2000 ms",
};

QString incidentError(IncidentKind kind)
{
    switch (kind) {
    case IncidentKind::Step: return QStringLiteral("upstream connect error: connection refused to db-primary:5432");
    case IncidentKind::ErrorCreep: return QStringLiteral("timeout acquiring connection from pool after 5000 ms");
    case IncidentKind::Spike: return QStringLiteral("cache cluster failover in progress, request aborted");
    default: return QString::fromLatin1(kBackgroundMessages[0]);
    }
}

} // namespace

TrafficModel::TrafficModel(const Options &options) : m_options(options), m_rng(options.seed ^ 0x5eedf10ULL)
{
    std::uniform_real_distribution<double> unit(0, 1);
    const int pool = int(std::size(kRouteNames));
    for (int s = 0; s < options.services; ++s) {
        const int named = int(std::size(kServiceNames));
        m_serviceNames << options.servicePrefix
                              + (s < named ? QString::fromLatin1(kServiceNames[s])
                                           : QStringLiteral("%1-%2").arg(QLatin1String(kServiceNames[s % named])).arg(s / named + 1));
        QStringList paths;
        std::vector<Route> routes;
        for (int e = 0; e < options.endpoints; ++e) {
            const RouteName &r = kRouteNames[(s * 3 + e) % pool];
            QString path = QString::fromLatin1(r.path);
            if (e >= pool)
                path += QStringLiteral("/v%1").arg(e / pool + 1);
            // Routes differ: some busy and fast, some rare and slow, each with its own spread.
            routes.push_back({path, r.method, 0.6 + 0.8 * unit(m_rng), 30 * std::exp(unit(m_rng) * std::log(8.0)),
                              0.3 + 0.3 * unit(m_rng)});
            paths << path;
        }
        m_routes.push_back(std::move(routes));
        m_endpointNames << paths;
    }
    m_state.resize(std::size_t(options.services));
}

double TrafficModel::expectedPerMinute(int service, int endpoint, qint64 t) const
{
    const double shape = dailyShape(t);
    return (kNightPerMinute + (kDayPerMinute - kNightPerMinute) * shape) * m_routes[std::size_t(service)][std::size_t(endpoint)].weight
           * m_options.rate;
}

void TrafficModel::generateMinute(qint64 minuteStart, const Scenario &scenario, std::vector<LogEvent> &out)
{
    std::normal_distribution<double> step(0, 0.03);
    std::uniform_int_distribution<qint64> offset(0, kMinute - 1);
    for (int s = 0; s < m_options.services; ++s) {
        // Mean-reverting drift of a few percent: real traffic wanders around its daily shape. Short bursts
        // (a retrying client, a batch job) are normal too and are not incidents.
        ServiceState &state = m_state[std::size_t(s)];
        state.drift = std::clamp(0.97 * state.drift + step(m_rng), -0.2, 0.2);
        if (state.burstMinutes > 0) {
            --state.burstMinutes;
        } else if (m_rng() % 180 == 0) {
            state.burstMinutes = 1 + int(m_rng() % 3);
            state.burstFactor = 1.5 + double(m_rng() % 1000) / 1000;
        }
        const double burst = state.burstMinutes > 0 ? state.burstFactor : 1.0;
        for (int e = 0; e < m_options.endpoints; ++e) {
            const qint64 mid = minuteStart + kMinute / 2;
            const Effect effect = scenario.effectAt(s, e, mid);
            const double lambda = expectedPerMinute(s, e, mid) * std::exp(state.drift) * burst * effect.trafficFactor;
            const int n = effect.silent ? 0 : std::poisson_distribution<int>(lambda)(m_rng);
            std::vector<qint64> times(static_cast<std::size_t>(n));
            for (qint64 &t : times)
                t = minuteStart + offset(m_rng);
            std::sort(times.begin(), times.end());
            for (qint64 t : times)
                out.push_back(makeEvent(s, e, t, scenario.effectAt(s, e, t)));
        }
    }
}

LogEvent TrafficModel::makeEvent(int service, int endpoint, qint64 ts, const Effect &effect)
{
    const Route &route = m_routes[std::size_t(service)][std::size_t(endpoint)];
    std::uniform_real_distribution<double> unit(0, 1);
    LogEvent ev;
    ev.service = service;
    ev.endpoint = endpoint;
    ev.ts = ts;
    ev.latencyMs = std::round(std::lognormal_distribution<double>(std::log(route.medianMs), route.sigma)(m_rng)
                              * effect.latencyFactor * 10) / 10;
    static const char hex[] = "0123456789abcdef";
    ev.traceId.resize(32);
    for (char &c : ev.traceId)
        c = hex[m_rng() & 15];
    const double failShare = std::min(0.98, kBackgroundErrors + effect.errorProbability);
    const double roll = unit(m_rng);
    if (roll < failShare) {
        static const int kServerErrors[] = {500, 502, 503, 504};
        ev.statusCode = kServerErrors[m_rng() % std::size(kServerErrors)];
        ev.level = "ERROR";
        // The incident's own failure when it caused this one, a familiar background failure otherwise.
        ev.message = effect.cause && roll >= kBackgroundErrors ? incidentError(effect.cause->kind)
                                                               : QString::fromLatin1(kBackgroundMessages[m_rng() % std::size(kBackgroundMessages)]);
        return ev;
    }
    if (roll < failShare + kClientErrors) {
        ev.statusCode = (m_rng() & 1) ? 404 : 401;
        ev.level = "WARN";
    }
    ev.message = QStringLiteral("%1 %2 %3 in %4 ms")
                     .arg(QLatin1String(route.method), route.path)
                     .arg(ev.statusCode)
                     .arg(qint64(std::lround(ev.latencyMs)));
    return ev;
}

void TrafficModel::appendJson(const LogEvent &e, QByteArray &body) const
{
    const Route &route = m_routes[std::size_t(e.service)][std::size_t(e.endpoint)];
    body += R"({"service":")" + m_serviceNames[e.service].toUtf8() + R"(","ts":")"
            + QDateTime::fromMSecsSinceEpoch(e.ts, Qt::UTC).toString(Qt::ISODateWithMs).toLatin1() + R"(","level":")"
            + e.level + R"(","message":")" + e.message.toUtf8() + R"(","latency_ms":)" + QByteArray::number(e.latencyMs)
            + R"(,"status_code":)" + QByteArray::number(e.statusCode) + R"(,"endpoint":")" + route.path.toUtf8()
            + R"(","method":")" + route.method + R"(","trace_id":")" + e.traceId + '"';
    if (m_options.demoTag)
        body += R"(,"attributes":{"demo":true})";
    body += '}';
}

} // namespace fg::inject
