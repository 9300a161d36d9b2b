#pragma once

#include <QColor>
#include <QIcon>
#include <QPalette>
#include <QString>

class QChart;

namespace fg {

// A service's health as the API names it ("healthy", "degraded", "critical", "no_data").
enum class HealthState { Healthy, Degraded, Critical, Silent };

HealthState healthStateFromApi(const QString &status);
// Worst first: critical, degraded, silent, healthy.
int healthStateRank(HealthState state);

// The one place that knows the window's colours and state shapes, so that every view says the same thing
// the same way and nothing relies on colour alone (each state also has its own shape and word). Colours
// follow the application palette (light or dark, as the system gives it): each hue is darkened or
// lightened until it reads against the palette's window, base and alternate-base colours — text colours
// by at least kTextContrast, chart colours by at least kGraphicContrast (WCAG 2 ratios). They and the
// state icons are computed once per palette. GUI thread only.
class StatePalette final {
public:
    static constexpr double kTextContrast = 4.5;
    static constexpr double kGraphicContrast = 3.0;
    // WCAG 2 contrast ratio of two opaque colours, 1 … 21.
    static double contrast(const QColor &a, const QColor &b);
    // The chart's background, title, legend, axis labels and grid from `palette`; charts call it when
    // built and again when their palette changes.
    static void styleChart(QChart *chart, const QPalette &palette);

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
    struct Colours;
    static const Colours &colours();
};

} // namespace fg
