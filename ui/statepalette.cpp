#include "statepalette.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>

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

bool StatePalette::dark()
{
    return QApplication::palette().color(QPalette::Base).lightness() < 128;
}

QColor StatePalette::health(HealthState state)
{
    const bool d = dark();
    switch (state) {
    case HealthState::Healthy: return d ? QColor(0x4c, 0xc3, 0x6f) : QColor(0x1e, 0x8e, 0x3e);
    case HealthState::Degraded: return d ? QColor(0xf2, 0xb1, 0x34) : QColor(0xc7, 0x7c, 0x02);
    case HealthState::Critical: return d ? QColor(0xf2, 0x6b, 0x5e) : QColor(0xc5, 0x22, 0x1f);
    case HealthState::Silent: return d ? QColor(0x9a, 0xa0, 0xa6) : QColor(0x70, 0x75, 0x7a);
    }
    return {};
}

QIcon StatePalette::checkIcon(bool done)
{
    QIcon icon;
    for (const int size : {16, 24, 32}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        const QRectF r(size * 0.1, size * 0.1, size * 0.8, size * 0.8);
        if (done) {
            p.setPen(Qt::NoPen);
            p.setBrush(health(HealthState::Healthy));
            p.drawEllipse(r);
            QPainterPath tick;
            tick.moveTo(r.left() + r.width() * 0.25, r.top() + r.height() * 0.52);
            tick.lineTo(r.left() + r.width() * 0.43, r.top() + r.height() * 0.70);
            tick.lineTo(r.left() + r.width() * 0.76, r.top() + r.height() * 0.32);
            p.setPen(QPen(QColor(Qt::white), size * 0.12, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            p.setBrush(Qt::NoBrush);
            p.drawPath(tick);
        } else {
            p.setPen(QPen(health(HealthState::Silent), size * 0.1));
            p.setBrush(Qt::NoBrush);
            p.drawEllipse(r.adjusted(size * 0.05, size * 0.05, -size * 0.05, -size * 0.05));
        }
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QIcon StatePalette::healthIcon(HealthState state)
{
    QIcon icon;
    for (const int size : {16, 24, 32}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        const QColor c = health(state);
        const QRectF r(size * 0.12, size * 0.12, size * 0.76, size * 0.76);
        p.setPen(Qt::NoPen);
        p.setBrush(c);
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
            p.setPen(QPen(c, size * 0.14));
            p.setBrush(Qt::NoBrush);
            path.addEllipse(r.adjusted(size * 0.07, size * 0.07, -size * 0.07, -size * 0.07));
            break;
        }
        p.drawPath(path);
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
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
    return QApplication::palette().color(QPalette::Text);
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
    // Colour-blind-safe (Okabe–Ito) hues, brightened a little on dark themes.
    static const QColor kSeries[] = {QColor(0x00, 0x72, 0xb2), QColor(0xd5, 0x5e, 0x00), QColor(0xcc, 0x79, 0xa7),
                                     QColor(0x00, 0x9e, 0x73)};
    const QColor c = kSeries[qBound(0, index, 3)];
    return dark() ? c.lighter(140) : c;
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
    QColor c = QApplication::palette().color(QPalette::Text);
    c.setAlpha(120);
    return c;
}

} // namespace fg
