#pragma once

#include <QJsonArray>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace fg::inject {

// What an incident does to the traffic it touches, at full strength.
enum class IncidentKind { LatencyCreep, ErrorCreep, Step, EndpointLatency, Spike, Silent, TrafficDrop };

QString incidentKindName(IncidentKind kind);
std::optional<IncidentKind> parseIncidentKind(const QString &name);

// One injected incident and its ground truth. Times are event times in ms since the epoch; `end` is the
// fix: the traffic is healthy again from then on.
struct Incident {
    IncidentKind kind = IncidentKind::Step;
    int service = 0;
    int endpoint = -1; // -1: every route of the service
    qint64 start = 0;
    qint64 rampEnd = 0; // full strength from here to `end`
    qint64 end = 0;
    double magnitude = 1; // latency factor, error probability or remaining traffic share, by kind
    bool shouldPage = true;

    // 0 before the start and from the fix on, rising linearly to 1 over the ramp.
    double strengthAt(qint64 t) const;
};

// The combined effect of the incidents on one route at one moment, as the traffic model applies it.
struct Effect {
    double latencyFactor = 1;
    double errorProbability = 0; // at least this share of requests fail (on top of the background)
    double trafficFactor = 1;
    bool silent = false;
    const Incident *cause = nullptr; // the strongest error cause, for its log message
};

// A named, seeded set of incidents placed in a run's time window: ramps, holds and fixes, never two at
// once on one service. Pure data after construction, so one scenario can be shared by the generator and
// the ground-truth writer (and by an in-process demo).
class Scenario final {
public:
    struct Layout {
        int services = 4;
        int endpoints = 3;
        qint64 startMs = 0;
        qint64 endMs = 0;
        quint64 seed = 1;
    };

    // Names are kinds or "mixed" (several kinds at random times); nullopt with `error` set for an
    // unknown name. Incidents that find no free slot in a short window are left out (listed in `error`).
    static std::optional<Scenario> build(const QStringList &names, const Layout &layout, QString *error);
    static QStringList names();
    // The demo's show: from `layout.startMs` on, every `everyMs` one incident on the next service in turn,
    // cycling through a step outage, a harmless spike, a latency creep and an error burst, each over
    // within a quarter of an hour, so a watcher sees every kind within minutes.
    static Scenario demo(const Layout &layout, qint64 everyMs);
    // Exactly these incidents (a hand-made story, such as demo-data's degradation).
    static Scenario of(std::vector<Incident> incidents);

    const std::vector<Incident> &incidents() const { return m_incidents; }
    Effect effectAt(int service, int endpoint, qint64 t) const;
    // Ground truth: [{service, endpoint, kind, start, end, should_page}], names resolved by the caller.
    QJsonArray groundTruth(const QStringList &serviceNames, const QList<QStringList> &endpointNames) const;

private:
    std::vector<Incident> m_incidents;
};

} // namespace fg::inject
