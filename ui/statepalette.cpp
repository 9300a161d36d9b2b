#include "statepalette.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QLegend>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>

#include <array>
#include <cmath>
#include <functional>

namespace fg {

HealthState healthStateFromApi(const QString &status)
{
    if (status == QLatin1String("healthy"))
        return HealthState::Healthy;
    if (status == QLatin1String("degraded"))
        return HealthState::Degraded;
    if (status == QLatin1String("critical"))
        return HealthState::Critical;
    return HealthState::Silent;
}

int healthStateRank(HealthState state)
{
    switch (state) {
    case HealthState::Critical: return 0;
    case HealthState::Degraded: return 1;
    case HealthState::Silent: return 2;
    case HealthState::Healthy: return 3;
    }
    return 3;
}

namespace {

double luminance(const QColor &c)
{
    auto channel = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    const QColor rgb = c.toRgb();
    return 0.2126 * channel(rgb.redF()) + 0.7152 * channel(rgb.greenF()) + 0.0722 * channel(rgb.blueF());
}

// The hue made darker (light backgrounds) or lighter (dark ones) in small steps until it reaches `ratio`
// against each background.
QColor readable(QColor c, const QList<QColor> &backgrounds, double ratio, bool dark)
{
    auto worst = [&](const QColor &x) {
        double r = 21;
        for (const QColor &b : backgrounds)
            r = std::min(r, StatePalette::contrast(x, b));
        return r;
    };
    for (int i = 0; i < 50 && worst(c) < ratio; ++i) {
        float h, s, l, a;
        c.getHslF(&h, &s, &l, &a);
        c.setHslF(h, s, dark ? std::min(1.0f, l + 0.02f) : std::max(0.0f, l - 0.02f), a);
    }
    return c;
}

QIcon paintedIcon(const std::function<void(QPainter &, int size)> &paint)
{
    QIcon icon;
    for (const int size : {16, 24, 32}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        paint(p, size);
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace

// Everything derived from one application palette.
struct StatePalette::Colours {
    qint64 key = -1; // the palette's cacheKey()
    QColor text, base;
    std::array<QColor, 4> health;    // by HealthState
    std::array<QColor, 4> series;
    std::array<QIcon, 4> healthIcons; // by HealthState
    std::array<QIcon, 2> checkIcons;  // not done, done
};

const StatePalette::Colours &StatePalette::colours()
{
    static Colours c;
    const QPalette palette = QApplication::palette();
    if (c.key == palette.cacheKey())
        return c;
    c.key = palette.cacheKey();
    c.text = palette.color(QPalette::Text);
    c.base = palette.color(QPalette::Base);
    const QList<QColor> backgrounds{palette.color(QPalette::Window), c.base, palette.color(QPalette::AlternateBase)};
    const bool dark = c.base.lightness() < 128;
    // Start hues: green, amber, red, grey (lighter ones on dark themes); Okabe–Ito for the series, which
    // colour-blind readers tell apart.
    const QColor health[4] = {dark ? QColor(0x4c, 0xc3, 0x6f) : QColor(0x1e, 0x8e, 0x3e),
                              dark ? QColor(0xf2, 0xb1, 0x34) : QColor(0xc7, 0x7c, 0x02),
                              dark ? QColor(0xf2, 0x6b, 0x5e) : QColor(0xc5, 0x22, 0x1f),
                              dark ? QColor(0x9a, 0xa0, 0xa6) : QColor(0x70, 0x75, 0x7a)};
    const QColor series[4] = {QColor(0x00, 0x72, 0xb2), QColor(0xd5, 0x5e, 0x00), QColor(0xcc, 0x79, 0xa7),
                              QColor(0x00, 0x9e, 0x73)};
    for (int i = 0; i < 4; ++i) {
        c.health[i] = readable(health[i], backgrounds, kTextContrast, dark);
        c.series[i] = readable(dark ? series[i].lighter(140) : series[i], backgrounds, kGraphicContrast, dark);
    }
    for (const HealthState state : {HealthState::Healthy, HealthState::Degraded, HealthState::Critical, HealthState::Silent}) {
        const QColor colour = c.health[int(state)];
        c.healthIcons[int(state)] = paintedIcon([state, colour](QPainter &p, int size) {
            const QRectF r(size * 0.12, size * 0.12, size * 0.76, size * 0.76);
            p.setPen(Qt::NoPen);
            p.setBrush(colour);
            QPainterPath path;
            switch (state) {
            case HealthState::Healthy: path.addEllipse(r); break;
            case HealthState::Degraded:
                path.moveTo(r.center().x(), r.top());
                path.lineTo(r.bottomRight());
                path.lineTo(r.bottomLeft());
                path.closeSubpath();
                break;
            case HealthState::Critical:
                path.moveTo(r.center().x(), r.top());
                path.lineTo(r.right(), r.center().y());
                path.lineTo(r.center().x(), r.bottom());
                path.lineTo(r.left(), r.center().y());
                path.closeSubpath();
                break;
            case HealthState::Silent:
                p.setPen(QPen(colour, size * 0.14));
                p.setBrush(Qt::NoBrush);
                path.addEllipse(r.adjusted(size * 0.07, size * 0.07, -size * 0.07, -size * 0.07));
                break;
            }
            p.drawPath(path);
        });
    }
    const QColor healthy = c.health[int(HealthState::Healthy)], silent = c.health[int(HealthState::Silent)], tick = c.base;
    c.checkIcons[1] = paintedIcon([healthy, tick](QPainter &p, int size) {
        const QRectF r(size * 0.1, size * 0.1, size * 0.8, size * 0.8);
        p.setPen(Qt::NoPen);
        p.setBrush(healthy);
        p.drawEllipse(r);
        // The tick in the base colour, which the healthy green contrasts with.
        QPainterPath path;
        path.moveTo(r.left() + r.width() * 0.25, r.top() + r.height() * 0.52);
        path.lineTo(r.left() + r.width() * 0.43, r.top() + r.height() * 0.70);
        path.lineTo(r.left() + r.width() * 0.76, r.top() + r.height() * 0.32);
        p.setPen(QPen(tick, size * 0.12, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
    });
    c.checkIcons[0] = paintedIcon([silent](QPainter &p, int size) {
        const QRectF r(size * 0.1, size * 0.1, size * 0.8, size * 0.8);
        p.setPen(QPen(silent, size * 0.1));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(r.adjusted(size * 0.05, size * 0.05, -size * 0.05, -size * 0.05));
    });
    return c;
}

double StatePalette::contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

void StatePalette::styleChart(QChart *chart, const QPalette &palette)
{
    const QColor text = palette.color(QPalette::Text);
    QColor grid = text, axisLine = text;
    grid.setAlpha(30);
    axisLine.setAlpha(110);
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setBackgroundPen(Qt::NoPen);
    chart->setPlotAreaBackgroundVisible(false);
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    for (QAbstractAxis *axis : chart->axes()) {
        axis->setLabelsBrush(text);
        axis->setTitleBrush(text);
        axis->setGridLineColor(grid);
        axis->setMinorGridLineColor(grid);
        axis->setLinePenColor(axisLine);
    }
}

QColor StatePalette::health(HealthState state)
{
    return colours().health[int(state)];
}

QIcon StatePalette::checkIcon(bool done)
{
    return colours().checkIcons[done ? 1 : 0];
}

QIcon StatePalette::healthIcon(HealthState state)
{
    return colours().healthIcons[int(state)];
}

QString StatePalette::healthText(HealthState state)
{
    switch (state) {
    case HealthState::Healthy: return QApplication::translate("fg::StatePalette", "healthy");
    case HealthState::Degraded: return QApplication::translate("fg::StatePalette", "degraded");
    case HealthState::Critical: return QApplication::translate("fg::StatePalette", "critical");
    case HealthState::Silent: return QApplication::translate("fg::StatePalette", "silent");
    }
    return {};
}

QColor StatePalette::level(const QString &level)
{
    const QString l = level.toLower();
    if (l == QLatin1String("fatal") || l == QLatin1String("critical") || l == QLatin1String("error"))
        return health(HealthState::Critical);
    if (l == QLatin1String("warn") || l == QLatin1String("warning"))
        return health(HealthState::Degraded);
    if (l == QLatin1String("debug") || l == QLatin1String("trace"))
        return health(HealthState::Silent);
    return colours().text;
}

QIcon StatePalette::levelIcon(const QString &level)
{
    const QString l = level.toLower();
    if (l == QLatin1String("critical") || l == QLatin1String("error") || l == QLatin1String("fatal"))
        return healthIcon(HealthState::Critical);
    if (l == QLatin1String("warning") || l == QLatin1String("warn"))
        return healthIcon(HealthState::Degraded);
    return healthIcon(HealthState::Silent);
}

QColor StatePalette::levelBar(const QString &level)
{
    if (level == QLatin1String("critical"))
        return health(HealthState::Critical);
    if (level == QLatin1String("error"))
        return series(1); // orange: between warning's amber and critical's red
    if (level == QLatin1String("warning"))
        return health(HealthState::Degraded);
    return series(0);
}

QColor StatePalette::series(int index)
{
    return colours().series[std::size_t(qBound(0, index, 3))];
}

QColor StatePalette::baselineBand()
{
    QColor c = series(0);
    c.setAlpha(45);
    return c;
}

QColor StatePalette::degradationSpan()
{
    QColor c = health(HealthState::Critical);
    c.setAlpha(40);
    return c;
}

QColor StatePalette::crosshair()
{
    QColor c = colours().text;
    c.setAlpha(120);
    return c;
}

} // namespace fg
