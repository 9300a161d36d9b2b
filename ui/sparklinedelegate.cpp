#include "sparklinedelegate.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <cmath>

#include "statepalette.h"

namespace fg {

void SparklineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt(option);
    initStyleOption(&opt, index);
    opt.text.clear();
    const QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    const auto values = index.data(m_role).value<QList<double>>();
    double lo = INFINITY, hi = -INFINITY;
    for (const double v : values)
        if (std::isfinite(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    if (values.size() < 2 || !std::isfinite(lo))
        return;
    if (hi - lo < 1e-9)
        hi = lo + 1; // flat: a line in the middle
    const QRectF r = QRectF(option.rect).adjusted(4, 4, -8, -4);
    const double dx = r.width() / double(values.size() - 1);
    QPainterPath path;
    bool pen = false;
    QPointF last;
    for (int i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            pen = false;
            continue;
        }
        last = QPointF(r.left() + i * dx, r.bottom() - (values[i] - lo) / (hi - lo) * r.height());
        if (pen)
            path.lineTo(last);
        else
            path.moveTo(last);
        pen = true;
    }
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(StatePalette::series(0), 1.5));
    painter->drawPath(path);
    painter->setBrush(StatePalette::series(0));
    painter->drawEllipse(last, 2.5, 2.5);
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    return QStyledItemDelegate::sizeHint(option, index).expandedTo(QSize(140, 28));
}

} // namespace fg
