#include "timelinechart.h"

#include <QAreaSeries>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QGraphicsLineItem>
#include <QGraphicsScene>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

#include "downsample.h"
#include "statepalette.h"

namespace fg {

namespace {
constexpr qint64 kMinVisibleMs = 5 * 60 * 1000; // zooming stops at five minutes

// The smallest round number at or above v whose quarters are round too (the axis has 5 ticks); 1 for no data.
double niceTop(double v)
{
    if (!(v > 0))
        return 1;
    const double power = std::pow(10.0, std::floor(std::log10(v)));
    for (const double m : {1.0, 1.2, 1.6, 2.0, 2.4, 4.0, 6.0, 8.0, 10.0})
        if (m * power >= v)
            return m * power;
    return 10 * power;
}

// The raw point nearest to x in an x-sorted list, or nullptr.
const QPointF *nearest(const QList<QPointF> &points, double x)
{
    if (points.isEmpty())
        return nullptr;
    auto it = std::lower_bound(points.begin(), points.end(), x, [](const QPointF &p, double v) { return p.x() < v; });
    if (it == points.end())
        return &points.last();
    if (it != points.begin() && x - (it - 1)->x() < it->x() - x)
        --it;
    return &*it;
}
} // namespace

TimelineChart::TimelineChart(const QString &title, const QString &unit, QWidget *parent)
    : QChartView(new QChart, parent), m_unit(unit), m_time(new QDateTimeAxis), m_value(new QValueAxis),
      m_band(new QAreaSeries(new QLineSeries, new QLineSeries)), m_spans(new QAreaSeries(new QLineSeries)),
      m_markers(new QScatterSeries(this)),
      m_crosshair(new QGraphicsLineItem)
{
    setRenderHint(QPainter::Antialiasing);
    setMouseTracking(true);
    // A few items that all move on each update: a BSP index would be rebuilt each time for nothing.
    scene()->setItemIndexMethod(QGraphicsScene::NoIndex);
    QChart *c = chart();
    c->setTitle(title);
    QFont titleFont = font();
    titleFont.setBold(true);
    c->setTitleFont(titleFont);
    c->setMargins(QMargins(4, 2, 4, 2));
    c->layout()->setContentsMargins(0, 0, 0, 0);
    c->setBackgroundRoundness(0);
    c->legend()->setAlignment(Qt::AlignTop);
    m_time->setTickCount(7);
    // Never an empty range: a chart laid out with one (e.g. grabbed while hidden) keeps a broken time axis.
    const QDateTime now = QDateTime::currentDateTime();
    m_time->setFormat(QStringLiteral("HH:mm"));
    m_time->setRange(now.addSecs(-3600), now);
    m_value->setTitleText(unit);
    m_value->setLabelFormat(QStringLiteral("%g"));
    m_value->setTickCount(5);
    c->addAxis(m_time, Qt::AlignBottom);
    c->addAxis(m_value, Qt::AlignLeft);

    m_spans->setName(tr("degradation"));
    m_spans->setBorderColor(Qt::transparent);
    m_band->setName(tr("baseline"));
    m_band->setBorderColor(Qt::transparent);
    // An area series does not own its boundary lines (LeakSanitizer found them leaked with every chart).
    m_band->upperSeries()->setParent(m_band);
    m_band->lowerSeries()->setParent(m_band);
    m_spans->upperSeries()->setParent(m_spans);
    for (QAbstractSeries *s : {static_cast<QAbstractSeries *>(m_spans), static_cast<QAbstractSeries *>(m_band)}) {
        c->addSeries(s);
        s->attachAxis(m_time);
        s->attachAxis(m_value);
    }
    // Alerts go on top of everything else, added after the lines (see setData).
    m_markers->setName(tr("alert"));
    m_markers->setMarkerShape(QScatterSeries::MarkerShapeTriangle);
    m_markers->setMarkerSize(12);
    m_crosshair->setZValue(100);
    m_crosshair->hide();
    scene()->addItem(m_crosshair);
    applyPalette();
}

void TimelineChart::applyPalette()
{
    StatePalette::styleChart(chart(), palette());
    m_spans->setColor(StatePalette::degradationSpan());
    m_band->setColor(StatePalette::baselineBand());
    m_markers->setColor(StatePalette::health(HealthState::Critical));
    m_markers->setBorderColor(palette().color(QPalette::Base));
    m_crosshair->setPen(QPen(StatePalette::crosshair(), 1, Qt::DashLine));
    for (int i = 0; i < m_lines.size(); ++i)
        m_lines[i]->setPen(QPen(StatePalette::series(i), 1.6));
}

void TimelineChart::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette(); // the system switched between light and dark
}

void TimelineChart::setData(qint64 fromMs, qint64 toMs, QList<Line> lines, QList<QPointF> bandLow, QList<QPointF> bandHigh,
                            QList<Span> spans, bool keepZoom)
{
    const bool zoomed = keepZoom && (m_visibleFrom != m_from || m_visibleTo != m_to);
    m_from = fromMs;
    m_to = std::max(toMs, fromMs + 1);
    if (!zoomed) {
        m_visibleFrom = m_from;
        m_visibleTo = m_to;
    }
    m_data = std::move(lines);
    m_bandLow = std::move(bandLow);
    m_bandHigh = std::move(bandHigh);
    m_spanRanges = std::move(spans);
    bool grew = false;
    while (m_lines.size() < m_data.size()) {
        grew = true;
        auto *series = new QLineSeries;
        series->setPen(QPen(StatePalette::series(int(m_lines.size())), 1.6));
        chart()->addSeries(series);
        series->attachAxis(m_time);
        series->attachAxis(m_value);
        m_lines.append(series);
    }
    while (m_lines.size() > m_data.size()) {
        QLineSeries *series = m_lines.takeLast();
        chart()->removeSeries(series);
        delete series;
    }
    for (int i = 0; i < m_data.size(); ++i)
        m_lines[i]->setName(m_data[i].name);
    // The markers stay the last series so that they are drawn over the lines.
    if (grew || !chart()->series().contains(m_markers)) {
        if (chart()->series().contains(m_markers))
            chart()->removeSeries(m_markers);
        chart()->addSeries(m_markers);
        m_markers->attachAxis(m_time);
        m_markers->attachAxis(m_value);
    }
    for (QLegendMarker *m : chart()->legend()->markers(m_markers))
        m->setVisible(!m_markerList.isEmpty());
    // Empty extras stay out of the legend.
    for (QLegendMarker *m : chart()->legend()->markers(m_band))
        m->setVisible(!m_bandHigh.isEmpty());
    for (QLegendMarker *m : chart()->legend()->markers(m_spans))
        m->setVisible(!m_spanRanges.isEmpty());
    redraw();
}

void TimelineChart::setMarkers(QList<Marker> markers)
{
    m_markerList = std::move(markers);
    for (QLegendMarker *m : chart()->legend()->markers(m_markers))
        m->setVisible(!m_markerList.isEmpty());
    if (m_to > m_from)
        placeOverlays();
}

const TimelineChart::Marker *TimelineChart::markerNear(double x) const
{
    const QRectF plot = chart()->plotArea();
    if (plot.width() <= 0 || m_visibleTo <= m_visibleFrom)
        return nullptr;
    const double msPerPixel = double(m_visibleTo - m_visibleFrom) / plot.width();
    const Marker *best = nullptr;
    double bestDistance = 6; // pixels
    for (const Marker &m : m_markerList) {
        const double d = std::fabs(plot.left() + double(m.atMs - m_visibleFrom) / msPerPixel - x);
        if (d <= bestDistance) {
            bestDistance = d;
            best = &m;
        }
    }
    return best;
}

void TimelineChart::setVisibleRange(qint64 fromMs, qint64 toMs)
{
    if (toMs - fromMs < kMinVisibleMs) {
        const qint64 mid = (fromMs + toMs) / 2;
        fromMs = mid - kMinVisibleMs / 2;
        toMs = mid + kMinVisibleMs / 2;
    }
    if (fromMs == m_visibleFrom && toMs == m_visibleTo)
        return;
    m_visibleFrom = fromMs;
    m_visibleTo = toMs;
    redraw();
}

void TimelineChart::redraw()
{
    if (m_to <= m_from)
        return; // no data yet: the axes keep their initial range
    const double from = double(m_visibleFrom), to = double(m_visibleTo);
    // Never more points than pixels: the lowest and the highest point of each two-pixel column.
    const int columns = std::max(50, int(chart()->plotArea().width() > 0 ? chart()->plotArea().width() : width()) / 2);
    // Qt Charts recomputes the geometry of every series on each axis change: the series are emptied
    // first, the axes moved, and then each series gets its points once.
    for (QLineSeries *line : std::as_const(m_lines))
        line->clear();
    m_band->upperSeries()->clear();
    m_band->lowerSeries()->clear();
    m_spans->upperSeries()->clear();
    m_markers->clear();
    const qint64 visible = m_visibleTo - m_visibleFrom;
    m_time->setFormat(visible <= 36LL * 3600 * 1000 ? QStringLiteral("HH:mm") : QStringLiteral("MMM d HH:mm"));
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(m_visibleFrom), QDateTime::fromMSecsSinceEpoch(m_visibleTo));
    double top = 0;
    auto scan = [&](const QList<QPointF> &points) {
        for (const QPointF &p : points)
            if (p.x() >= from && p.x() <= to && std::isfinite(p.y()))
                top = std::max(top, p.y());
    };
    for (const Line &l : std::as_const(m_data))
        scan(l.points);
    scan(m_bandHigh);
    m_value->setRange(0, niceTop(top * 1.05));
    for (int i = 0; i < m_data.size(); ++i)
        m_lines[i]->replace(downsampleMinMax(m_data[i].points, from, to, columns));
    m_band->upperSeries()->replace(downsampleMinMax(m_bandHigh, from, to, columns));
    m_band->lowerSeries()->replace(downsampleMinMax(m_bandLow, from, to, columns));
    placeOverlays();
}

void TimelineChart::placeOverlays()
{
    // Degradation spans: rectangles from the bottom to the top of the value axis.
    QList<QPointF> rects;
    const double high = m_value->max();
    for (const Span &s : std::as_const(m_spanRanges)) {
        if (s.toMs < m_visibleFrom || s.fromMs > m_visibleTo)
            continue;
        rects << QPointF(double(s.fromMs), 0) << QPointF(double(s.fromMs), high) << QPointF(double(s.toMs), high)
              << QPointF(double(s.toMs), 0);
    }
    m_spans->upperSeries()->replace(rects);
    QList<QPointF> alerts;
    for (const Marker &m : std::as_const(m_markerList))
        if (m.atMs >= m_visibleFrom && m.atMs <= m_visibleTo)
            alerts << QPointF(double(m.atMs), high * 0.94);
    m_markers->replace(alerts);
}

qint64 TimelineChart::timeAt(double x) const
{
    const QRectF plot = chart()->plotArea();
    if (plot.width() <= 0)
        return m_visibleFrom;
    return m_visibleFrom + qint64((x - plot.left()) / plot.width() * double(m_visibleTo - m_visibleFrom));
}

QString TimelineChart::formatValue(double v) const
{
    const int decimals = std::fabs(v) >= 100 ? 0 : std::fabs(v) >= 10 ? 1 : 2;
    return tr("%1 %2").arg(QLocale().toString(v, 'f', decimals), m_unit);
}

QString TimelineChart::valuesAt(qint64 ms) const
{
    const QPointF *at = nullptr;
    for (const Line &l : m_data)
        if (const QPointF *p = nearest(l.points, double(ms)); p && (!at || std::fabs(p->x() - ms) < std::fabs(at->x() - ms)))
            at = p;
    if (!at)
        return {};
    const double x = at->x();
    QString text = QStringLiteral("<b>%1</b>")
                       .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(qint64(x)).toLocalTime(),
                                               QStringLiteral("yyyy-MM-dd HH:mm")));
    for (const Line &l : m_data) {
        const QPointF *p = nearest(l.points, x);
        if (p && p->x() == x)
            text += QStringLiteral("<br>%1: %2").arg(l.name.toHtmlEscaped(), formatValue(p->y()));
    }
    const QPointF *low = nearest(m_bandLow, x), *high = nearest(m_bandHigh, x);
    if (low && high && low->x() == x && high->x() == x)
        text += QStringLiteral("<br>") + tr("baseline: %1 – %2").arg(formatValue(low->y()), formatValue(high->y()));
    for (const Span &s : m_spanRanges)
        if (x >= double(s.fromMs) && x <= double(s.toMs)) {
            text += QStringLiteral("<br>") + tr("<i>degradation open</i>");
            break;
        }
    return text;
}

void TimelineChart::wheelEvent(QWheelEvent *event)
{
    if (event->angleDelta().y() == 0)
        return QChartView::wheelEvent(event);
    const double factor = event->angleDelta().y() > 0 ? 0.8 : 1.25;
    const qint64 anchor = timeAt(mapToScene(event->position().toPoint()).x());
    const qint64 from = anchor - qint64(double(anchor - m_visibleFrom) * factor);
    const qint64 to = anchor + qint64(double(m_visibleTo - anchor) * factor);
    setVisibleRange(std::max(from, m_from - (m_to - m_from)), std::min(to, m_to + (m_to - m_from)));
    emit rangeChanged(m_visibleFrom, m_visibleTo);
    event->accept();
}

void TimelineChart::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        if (const Marker *m = markerNear(mapToScene(event->position().toPoint()).x())) {
            emit markerClicked(m->id);
            return event->accept();
        }
        m_dragX = event->position().toPoint().x();
        setCursor(Qt::ClosedHandCursor);
    }
    event->accept();
}

void TimelineChart::mouseMoveEvent(QMouseEvent *event)
{
    const QPointF scenePos = mapToScene(event->position().toPoint());
    const QRectF plot = chart()->plotArea();
    if (m_dragX >= 0 && plot.width() > 0) {
        const int x = event->position().toPoint().x();
        const qint64 shift = qint64(double(x - m_dragX) / plot.width() * double(m_visibleTo - m_visibleFrom));
        m_dragX = x;
        setVisibleRange(m_visibleFrom - shift, m_visibleTo - shift);
        emit rangeChanged(m_visibleFrom, m_visibleTo);
    }
    if (!plot.contains(scenePos)) {
        m_crosshair->hide();
        QToolTip::hideText();
        return;
    }
    m_crosshair->setLine(scenePos.x(), plot.top(), scenePos.x(), plot.bottom());
    m_crosshair->show();
    QString text = valuesAt(timeAt(scenePos.x()));
    if (const Marker *m = markerNear(scenePos.x()))
        text += QStringLiteral("<hr>") + m->text.toHtmlEscaped() + QStringLiteral("<br><i>") + tr("Click to open the alert")
                + QStringLiteral("</i>");
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, this);
}

void TimelineChart::mouseReleaseEvent(QMouseEvent *event)
{
    m_dragX = -1;
    unsetCursor();
    event->accept();
}

void TimelineChart::mouseDoubleClickEvent(QMouseEvent *event)
{
    setVisibleRange(m_from, m_to);
    emit rangeChanged(m_visibleFrom, m_visibleTo);
    event->accept();
}

void TimelineChart::leaveEvent(QEvent *event)
{
    m_crosshair->hide();
    QChartView::leaveEvent(event);
}

void TimelineChart::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    redraw();
}

} // namespace fg
