#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

#include "statepalette.h"

namespace fg {

// One service as the overview shows it, merged from /api/health/services, /api/kpis/live, open alerts
// and the last hour of /api/kpis. Plain value, GUI thread.
struct ServiceRow {
    QString name;
    std::optional<double> score; // 0–100; empty when silent
    HealthState state = HealthState::Silent;
    std::optional<double> p95Ms;
    std::optional<double> baselineP95Ms;
    double errorRate = 0;
    std::optional<double> throughputRps; // last 5 minutes, from memory
    int openAlerts = 0;
    QDateTime lastSeen;
    QList<double> sparkline; // p95 per minute over the last hour; NaN where a minute has no requests

    bool operator==(const ServiceRow &) const = default;
};

} // namespace fg
