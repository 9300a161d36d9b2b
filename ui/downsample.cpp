#include "downsample.h"

#include <algorithm>
#include <cmath>

namespace fg {

QList<QPointF> downsampleMinMax(const QList<QPointF> &points, double xMin, double xMax, int columns)
{
    auto byX = [](const QPointF &p, double x) { return p.x() < x; };
    auto first = std::lower_bound(points.begin(), points.end(), xMin, byX);
    auto last = std::upper_bound(points.begin(), points.end(), xMax, [](double x, const QPointF &p) { return x < p.x(); });
    if (first != points.begin())
        --first;
    if (last != points.end())
        ++last;
    const qsizetype n = last - first;
    if (columns < 1 || n <= 2 * qsizetype(columns) || xMax <= xMin)
        return QList<QPointF>(first, last);
    QList<QPointF> out;
    out.reserve(2 * columns + 2);
    const double width = (xMax - xMin) / columns;
    auto it = first;
    while (it != last) {
        const qint64 column = qint64(std::floor((it->x() - xMin) / width));
        auto lo = it, hi = it;
        for (; it != last && qint64(std::floor((it->x() - xMin) / width)) == column; ++it) {
            if (it->y() < lo->y())
                lo = it;
            if (it->y() > hi->y())
                hi = it;
        }
        if (lo == hi) {
            out.append(*lo);
        } else if (lo->x() < hi->x()) {
            out.append(*lo);
            out.append(*hi);
        } else {
            out.append(*hi);
            out.append(*lo);
        }
    }
    return out;
}

} // namespace fg
