#pragma once

#include <QChartView>
#include <QColor>
#include <QList>
#include <QPointF>

class QAreaSeries;
class QDateTimeAxis;
class QGraphicsLineItem;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace fg {

// One KPI drift timeline: lines over a real time axis (x in ms since the epoch, local time labels) and a
// value axis with its unit, the learned baseline as a shaded band, degradation spans shaded over the
// full height, alert markers (hover: the alert, click: open it), a crosshair with the values at the hovered step, mouse-wheel zoom and drag pan of the time
// axis (double click: back to the whole range). Raw points are kept here and downsampled to at most one
// per pixel of the plot's width (the lowest and highest of each two-pixel column) whenever the visible
// range or the size changes, before Qt Charts sees them. GUI thread.
class TimelineChart final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineChart)

public:
    struct Line {
        QString name;
        QList<QPointF> points; // x-sorted
    };
    struct Span {
        qint64 fromMs = 0;
        qint64 toMs = 0;
    };
    // An alert at its firing time: hovering near it shows `text`, clicking it asks to open the alert.
    struct Marker {
        qint64 atMs = 0;
        qint64 id = 0;
        QString text;
    };

    TimelineChart(const QString &title, const QString &unit, QWidget *parent = nullptr);

    // The whole range (the chosen one; double click returns to it) and what to draw. keepZoom: a refresh
    // of the same range keeps what the user zoomed into.
    void setData(qint64 fromMs, qint64 toMs, QList<Line> lines, QList<QPointF> bandLow = {}, QList<QPointF> bandHigh = {},
                 QList<Span> spans = {}, bool keepZoom = false);
    void setMarkers(QList<Marker> markers);
    int markerCount() const { return int(m_markerList.size()); }
    // The visible time range (zoom/pan); other charts follow through rangeChanged.
    void setVisibleRange(qint64 fromMs, qint64 toMs);
    qint64 visibleFrom() const { return m_visibleFrom; }
    qint64 visibleTo() const { return m_visibleTo; }

    // What the crosshair shows at this time: the time and each line's value at the nearest step.
    QString valuesAt(qint64 ms) const;
    // For tests: the series handed to Qt Charts.
    QList<QLineSeries *> lineSeries() const { return m_lines; }
    QAreaSeries *bandSeries() const { return m_band; }
    QAreaSeries *spanSeries() const { return m_spans; }
    int spanCount() const { return int(m_spanRanges.size()); }

signals:
    void rangeChanged(qint64 fromMs, qint64 toMs);
    void markerClicked(qint64 alertId);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();
    void redraw();
    // The degradation spans and alert markers of the visible range, up to the value axis' top.
    void placeOverlays();
    qint64 timeAt(double x) const;
    // The marker within a few pixels of scene x, or nullptr.
    const Marker *markerNear(double x) const;
    QString formatValue(double v) const;

    QString m_unit;
    QDateTimeAxis *m_time;
    QValueAxis *m_value;
    QList<QLineSeries *> m_lines;
    QAreaSeries *m_band;
    QAreaSeries *m_spans;
    QScatterSeries *m_markers;
    QGraphicsLineItem *m_crosshair;
    QList<Line> m_data;
    QList<QPointF> m_bandLow, m_bandHigh;
    QList<Span> m_spanRanges;
    QList<Marker> m_markerList;
    qint64 m_from = 0, m_to = 0;               // the whole range
    qint64 m_visibleFrom = 0, m_visibleTo = 0; // zoomed
    int m_dragX = -1;
};

} // namespace fg
