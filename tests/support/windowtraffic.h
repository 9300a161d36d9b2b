#pragma once

#include <QByteArray>

// Generated request logs for the window's tests and screenshots: one service, `minutes` minutes ending
// at `endMs` (event time), `perMinute` requests a minute over three routes, latency lognormal around
// `latencyMs`; the last `recentMinutes` minutes run `recentLatencyFactor` times slower and with
// `recentErrorShare` errors instead of `errorShare`. NDJSON, one body.
struct TrafficShape {
    QByteArray service;
    int minutes = 30;
    int perMinute = 30;
    double latencyMs = 80;
    double errorShare = 0.002;
    int recentMinutes = 0;
    double recentLatencyFactor = 1;
    double recentErrorShare = 0.002;
    qint64 endMs = 0; // 0: now
    unsigned seed = 1;
};

QByteArray generateTraffic(const TrafficShape &shape);
