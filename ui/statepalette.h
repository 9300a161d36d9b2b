#pragma once

#include <QColor>
#include <QIcon>
#include <QString>

namespace fg {

// A service's health as the API names it ("healthy", "degraded", "critical", "no_data").
enum class HealthState { Healthy, Degraded, Critical, Silent };

HealthState healthStateFromApi(const QString &status);
// Worst first: critical, degraded, silent, healthy.
int healthStateRank(HealthState state);

// The one place that knows the window's state colours and shapes, so that every view says the same thing
// the same way and nothing relies on colour alone (each state also has its own shape and word). Colours
// are picked against the current palette's base colour so they read on light and dark themes.
// GUI thread only.
class StatePalette final {
public:
    static QColor health(HealthState state);
    // A small filled shape per state: circle (healthy), triangle (degraded), diamond (critical), ring (silent).
    static QIcon healthIcon(HealthState state);
    static QString healthText(HealthState state);
    // A checklist mark: a tick in a filled disc when done, an empty ring when not.
    static QIcon checkIcon(bool done);
    // Log and alert levels: trace … fatal, warning/critical.
    static QColor level(const QString &level);
    // Alert levels as shapes too: critical and error a diamond, warning a triangle, info a grey ring.
    static QIcon levelIcon(const QString &level);
    // Alert levels stacked in one chart, told apart: info, warning, error, critical.
    static QColor levelBar(const QString &level);
    // Chart series: latency quantiles, error rate, throughput; the baseline band and degradation spans.
    static QColor series(int index);
    static QColor baselineBand();
    static QColor degradationSpan();
    static QColor crosshair();

private:
    static bool dark();
};

} // namespace fg
