#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <random>
#include <vector>

namespace fg::inject {

class Scenario;
struct Effect;

// One generated log event, in the fields FlowGuard's native JSON carries.
struct LogEvent {
    int service = 0;
    int endpoint = 0;
    qint64 ts = 0; // event time, ms since the epoch
    const char *level = "INFO";
    QString message;
    double latencyMs = 0;
    int statusCode = 200;
    QByteArray traceId;
};

// Request traffic of N services × M routes, one simulated minute at a time: a smooth daily cycle
// (about 1.5 requests a minute per route at the 04:00 trough, 20 at the 16:00 peak, times a per-route
// weight and `rate`), a slow per-service drift, harmless bursts (about one every three hours per service:
// 1.5-2.5× traffic for 1-3 minutes), Poisson arrivals, lognormal latency per route, 0.4 % background 5xx
// errors and some 4xx, with the scenario's incidents applied on top. Deterministic for a
// seed; minutes must be asked for in order (the drift carries over). Not thread-safe: one owner.
class TrafficModel final {
public:
    struct Options {
        int services = 4;
        int endpoints = 3;
        double rate = 1;
        quint64 seed = 1;
        QString servicePrefix; // before every service name ("demo-" in demo mode)
        bool demoTag = false;  // events carry attributes.demo=true
    };
    explicit TrafficModel(const Options &options);

    // Appends the events of [minuteStart, minuteStart + 60 s) to `out`, sorted by time within each route.
    void generateMinute(qint64 minuteStart, const Scenario &scenario, std::vector<LogEvent> &out);
    // The expected requests per minute of one route before incidents and drift.
    double expectedPerMinute(int service, int endpoint, qint64 t) const;

    const QStringList &serviceNames() const { return m_serviceNames; }
    const QList<QStringList> &endpointNames() const { return m_endpointNames; }
    // One event as a JSON object (no trailing separator), appended to `body`.
    void appendJson(const LogEvent &e, QByteArray &body) const;

    static constexpr double kNightPerMinute = 1.5;
    static constexpr double kDayPerMinute = 20;
    static constexpr double kBackgroundErrors = 0.004;
    static constexpr double kClientErrors = 0.01;

private:
    struct Route {
        QString path;
        const char *method;
        double weight;
        double medianMs;
        double sigma;
    };
    LogEvent makeEvent(int service, int endpoint, qint64 ts, const Effect &effect);

    Options m_options;
    std::mt19937_64 m_rng;
    QStringList m_serviceNames;
    QList<QStringList> m_endpointNames;
    std::vector<std::vector<Route>> m_routes;
    struct ServiceState {
        double drift = 0;     // log-space random walk
        int burstMinutes = 0; // left in the current burst
        double burstFactor = 1;
    };
    std::vector<ServiceState> m_state;
};

} // namespace fg::inject
