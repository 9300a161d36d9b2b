#include "scenario.h"

#include <QDateTime>
#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <random>

#include "dailycycle.h"

namespace fg::inject {

namespace {

constexpr qint64 kMinute = 60 * 1000;

struct KindInfo {
    IncidentKind kind;
    const char *name;
};
constexpr KindInfo kKinds[] = {
    {IncidentKind::LatencyCreep, "latency-creep"}, {IncidentKind::ErrorCreep, "error-creep"},
    {IncidentKind::Step, "step"},                  {IncidentKind::EndpointLatency, "endpoint-latency"},
    {IncidentKind::Spike, "spike"},                {IncidentKind::Silent, "silent"},
    {IncidentKind::TrafficDrop, "traffic-drop"},
};
constexpr IncidentKind kPagingKinds[] = {IncidentKind::LatencyCreep, IncidentKind::ErrorCreep,
                                         IncidentKind::Step,         IncidentKind::EndpointLatency,
                                         IncidentKind::Silent,       IncidentKind::TrafficDrop};

// Ramp and hold ranges in minutes and the full-strength magnitude range of one kind. Creeps ramp for
// half an hour or more (slow enough to hide in noise at first); steps and spikes start at once.
struct Shape {
    double rampMin, rampMax, holdMin, holdMax, magMin, magMax;
};
Shape shapeOf(IncidentKind kind)
{
    switch (kind) {
    case IncidentKind::LatencyCreep: return {30, 60, 20, 60, 3, 5};          // × latency
    case IncidentKind::ErrorCreep: return {30, 60, 20, 60, 0.08, 0.2};       // error share
    case IncidentKind::Step: return {0, 0, 15, 45, 0.3, 0.6};                // error share
    case IncidentKind::EndpointLatency: return {5, 10, 30, 60, 4, 8};        // × latency, one route
    case IncidentKind::Spike: return {0, 0, 1, 2, 3, 4};                     // × latency, plus errors
    case IncidentKind::Silent: return {0, 0, 20, 40, 0, 0};
    case IncidentKind::TrafficDrop: return {2, 5, 30, 60, 0.1, 0.25};        // remaining traffic share
    }
    return {};
}

class Placer {
public:
    Placer(const Scenario::Layout &layout, std::mt19937_64 &rng) : m_layout(layout), m_rng(rng)
    {
        // Detectors need history before they can judge, and a fix needs time after it to show a
        // resolution: keep incidents off both edges of the window.
        const qint64 span = layout.endMs - layout.startMs;
        m_from = layout.startMs + std::min<qint64>(90 * kMinute, span / 4);
        m_to = layout.endMs - std::min<qint64>(45 * kMinute, span / 7);
        m_gap = std::min<qint64>(40 * kMinute, std::max<qint64>(kMinute, (m_to - m_from) / 8));
    }

    std::optional<Incident> place(IncidentKind kind, const std::vector<Incident> &taken)
    {
        const Shape s = shapeOf(kind);
        Incident inc;
        inc.kind = kind;
        inc.shouldPage = kind != IncidentKind::Spike;
        inc.magnitude = uniform(s.magMin, s.magMax);
        qint64 ramp = qint64(uniform(s.rampMin, s.rampMax) * kMinute);
        qint64 hold = qint64(uniform(s.holdMin, s.holdMax) * kMinute);
        // Short windows (tests) get proportionally shorter incidents, never shorter than a minute.
        const qint64 room = (m_to - m_from) / 3;
        if (ramp + hold > room && kind != IncidentKind::Spike) {
            const double scale = double(room) / double(ramp + hold);
            ramp = qint64(double(ramp) * scale);
            hold = std::max<qint64>(kMinute, qint64(double(hold) * scale));
        }
        const qint64 length = ramp + hold;
        if (m_to - m_from <= length)
            return std::nullopt;
        for (int attempt = 0; attempt < 500; ++attempt) {
            inc.service = int(m_rng() % std::uint64_t(m_layout.services));
            inc.endpoint = kind == IncidentKind::EndpointLatency ? int(m_rng() % std::uint64_t(m_layout.endpoints)) : -1;
            inc.start = m_from + qint64(m_rng() % std::uint64_t(m_to - m_from - length));
            inc.start -= inc.start % kMinute;
            inc.rampEnd = inc.start + ramp;
            inc.end = inc.rampEnd + hold;
            // A drop at the nightly trough is indistinguishable from the cycle; a real one happens by day.
            if (kind == IncidentKind::TrafficDrop && attempt < 400 && dailyShape(inc.start) < 0.4)
                continue;
            const bool clash = std::any_of(taken.begin(), taken.end(), [&](const Incident &o) {
                return o.service == inc.service && inc.start < o.end + m_gap && o.start < inc.end + m_gap;
            });
            if (!clash)
                return inc;
        }
        return std::nullopt;
    }

private:
    double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(m_rng); }

    Scenario::Layout m_layout;
    std::mt19937_64 &m_rng;
    qint64 m_from = 0;
    qint64 m_to = 0;
    qint64 m_gap = 0;
};

QString iso(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs); }

} // namespace

QString incidentKindName(IncidentKind kind)
{
    for (const KindInfo &k : kKinds)
        if (k.kind == kind)
            return QString::fromLatin1(k.name);
    return {};
}

std::optional<IncidentKind> parseIncidentKind(const QString &name)
{
    for (const KindInfo &k : kKinds)
        if (name == QLatin1String(k.name))
            return k.kind;
    return std::nullopt;
}

QStringList Scenario::names()
{
    QStringList out;
    for (const KindInfo &k : kKinds)
        out << QString::fromLatin1(k.name);
    return out << QStringLiteral("mixed");
}

double Incident::strengthAt(qint64 t) const
{
    if (t < start || t >= end)
        return 0;
    if (t < rampEnd)
        return double(t - start) / double(rampEnd - start);
    return 1;
}

std::optional<Scenario> Scenario::build(const QStringList &names, const Layout &layout, QString *error)
{
    std::vector<IncidentKind> kinds;
    std::mt19937_64 rng(layout.seed);
    for (const QString &name : names) {
        if (name == QLatin1String("mixed")) {
            // About one paging incident per service per 12 hours, and half as many harmless spikes.
            const double hours = double(layout.endMs - layout.startMs) / 3600000.0;
            const int count = std::max(1, int(std::lround(hours / 12 * layout.services)));
            for (int i = 0; i < count; ++i)
                kinds.push_back(kPagingKinds[rng() % std::size(kPagingKinds)]);
            for (int i = 0; i < std::max(1, count / 2); ++i)
                kinds.push_back(IncidentKind::Spike);
        } else if (auto kind = parseIncidentKind(name)) {
            kinds.push_back(*kind);
        } else {
            *error = QStringLiteral("unknown scenario \"%1\" (expected one of %2)").arg(name, Scenario::names().join(u", "));
            return std::nullopt;
        }
    }
    Scenario scenario;
    Placer placer(layout, rng);
    QStringList left;
    for (IncidentKind kind : kinds) {
        if (auto inc = placer.place(kind, scenario.m_incidents))
            scenario.m_incidents.push_back(*inc);
        else
            left << incidentKindName(kind);
    }
    std::sort(scenario.m_incidents.begin(), scenario.m_incidents.end(),
              [](const Incident &a, const Incident &b) { return a.start < b.start; });
    if (!left.isEmpty())
        *error = QStringLiteral("no room for: %1").arg(left.join(u", "));
    return scenario;
}

Scenario Scenario::demo(const Layout &layout, qint64 everyMs)
{
    struct Act {
        IncidentKind kind;
        qint64 rampMinutes, holdMinutes;
        double magnitude;
    };
    // Strong enough for the out-of-the-box rules (errors above 5 % for 5 minutes) and the detectors.
    static const Act kActs[] = {
        {IncidentKind::Step, 0, 8, 0.5},
        {IncidentKind::Spike, 0, 2, 3},
        {IncidentKind::LatencyCreep, 5, 7, 5},
        {IncidentKind::ErrorCreep, 1, 6, 0.3},
    };
    Scenario scenario;
    const qint64 step = std::max<qint64>(kMinute, everyMs - everyMs % kMinute);
    int n = 0;
    for (qint64 t = layout.startMs - layout.startMs % kMinute + kMinute; t < layout.endMs; t += step, ++n) {
        const Act &act = kActs[n % std::size(kActs)];
        Incident inc;
        inc.kind = act.kind;
        inc.service = n % std::max(1, layout.services);
        inc.start = t;
        inc.rampEnd = t + act.rampMinutes * kMinute;
        inc.end = inc.rampEnd + act.holdMinutes * kMinute;
        inc.magnitude = act.magnitude;
        inc.shouldPage = act.kind != IncidentKind::Spike;
        scenario.m_incidents.push_back(inc);
    }
    return scenario;
}

Scenario Scenario::of(std::vector<Incident> incidents)
{
    Scenario scenario;
    scenario.m_incidents = std::move(incidents);
    return scenario;
}

Effect Scenario::effectAt(int service, int endpoint, qint64 t) const
{
    Effect e;
    double strongestError = 0;
    for (const Incident &inc : m_incidents) {
        if (inc.service != service || (inc.endpoint >= 0 && inc.endpoint != endpoint))
            continue;
        const double s = inc.strengthAt(t);
        if (s <= 0)
            continue;
        double errors = 0;
        switch (inc.kind) {
        case IncidentKind::LatencyCreep:
        case IncidentKind::EndpointLatency: e.latencyFactor *= 1 + s * (inc.magnitude - 1); break;
        case IncidentKind::ErrorCreep: errors = s * inc.magnitude; break;
        case IncidentKind::Step: // an outage: most calls fail fast or time out, the rest are slower
            errors = s * inc.magnitude;
            e.latencyFactor *= 1 + s * 0.5;
            break;
        case IncidentKind::Spike:
            e.latencyFactor *= 1 + s * (inc.magnitude - 1);
            errors = s * 0.1;
            break;
        case IncidentKind::Silent: e.silent = true; break;
        case IncidentKind::TrafficDrop: e.trafficFactor *= 1 - s * (1 - inc.magnitude); break;
        }
        if (errors > strongestError) {
            strongestError = errors;
            e.errorProbability = errors;
            e.cause = &inc;
        }
    }
    return e;
}

QJsonArray Scenario::groundTruth(const QStringList &serviceNames, const QList<QStringList> &endpointNames) const
{
    QJsonArray out;
    for (const Incident &inc : m_incidents) {
        const QString endpoint = inc.endpoint >= 0 ? endpointNames.value(inc.service).value(inc.endpoint) : QString();
        out.append(QJsonObject{{QStringLiteral("service"), serviceNames.value(inc.service)},
                               {QStringLiteral("endpoint"), endpoint},
                               {QStringLiteral("kind"), incidentKindName(inc.kind)},
                               {QStringLiteral("start"), iso(inc.start)},
                               {QStringLiteral("ramp_end"), iso(inc.rampEnd)},
                               {QStringLiteral("end"), iso(inc.end)},
                               {QStringLiteral("magnitude"), inc.magnitude},
                               {QStringLiteral("should_page"), inc.shouldPage}});
    }
    return out;
}

} // namespace fg::inject
