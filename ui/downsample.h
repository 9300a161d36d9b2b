#pragma once

#include <QList>
#include <QPointF>

namespace fg {

// The points of an x-sorted series that a chart `columns` pixels wide can show: per pixel column over
// [xMin, xMax] the lowest and the highest point, in x order (so spikes survive), plus the nearest point
// outside each edge so the line runs on to the border. Series that already fit are returned as they are.
// Pure; any thread.
QList<QPointF> downsampleMinMax(const QList<QPointF> &points, double xMin, double xMax, int columns);

} // namespace fg
