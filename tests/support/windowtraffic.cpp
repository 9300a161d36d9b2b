#include "windowtraffic.h"

#include <QDateTime>

#include <cmath>
#include <random>

QByteArray generateTraffic(const TrafficShape &s)
{
    static const char *kRoutes[] = {"GET /cart", "POST /pay/{id}", "GET /items"};
    std::mt19937 rng(s.seed);
    std::uniform_real_distribution<double> u(0, 1);
    const qint64 end = s.endMs ? s.endMs : QDateTime::currentMSecsSinceEpoch();
    const qint64 start = end - qint64(s.minutes) * 60000;
    QByteArray body;
    for (int m = 0; m < s.minutes; ++m) {
        const bool recent = m >= s.minutes - s.recentMinutes;
        std::lognormal_distribution<double> latency(std::log(s.latencyMs * (recent ? s.recentLatencyFactor : 1.0)), 0.25);
        const double errors = recent ? s.recentErrorShare : s.errorShare;
        for (int i = 0; i < s.perMinute; ++i) {
            const qint64 ms = start + qint64(m) * 60000 + qint64(i) * 60000 / s.perMinute;
            const bool error = u(rng) < errors;
            const QByteArray route = kRoutes[i % 3];
            const QByteArray method = route.left(route.indexOf(' ')), path = route.mid(route.indexOf(' ') + 1);
            body += "{\"service\":\"" + s.service + "\",\"ts\":" + QByteArray::number(ms) + ",\"level\":\""
                    + (error ? "ERROR" : "INFO") + "\",\"endpoint\":\"" + QByteArray(path).replace("{id}", QByteArray::number(i))
                    + "\",\"method\":\"" + method + "\",\"status_code\":" + (error ? "503" : "200")
                    + ",\"latency_ms\":" + QByteArray::number(latency(rng), 'f', 1) + ",\"message\":\""
                    + (error ? "upstream " + s.service + "-db timed out after " + QByteArray::number(1000 + i) + " ms"
                             : method + ' ' + path + " ok")
                    + "\"}\n";
        }
    }
    return body;
}
