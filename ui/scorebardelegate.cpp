#include "scorebardelegate.h"

#include <QApplication>
#include <QPainter>

namespace fg {

void ScoreBarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt(option);
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    const QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    const QVariant score = index.data(m_valueRole);
    const QColor colour = index.data(m_colourRole).value<QColor>();
    const QRect r = option.rect.adjusted(4, 5, -4, -5);
    painter->save();
    if (score.isValid()) {
        QColor track = colour;
        track.setAlpha(40);
        painter->fillRect(r, track);
        QColor bar = colour;
        bar.setAlpha(150);
        painter->fillRect(QRect(r.left(), r.top(), int(r.width() * qBound(0.0, score.toDouble(), 100.0) / 100.0), r.height()), bar);
    }
    QFont bold = opt.font;
    bold.setBold(true);
    painter->setFont(bold);
    painter->setPen(option.palette.color(option.state & QStyle::State_Selected ? QPalette::HighlightedText : QPalette::Text));
    painter->drawText(r.adjusted(4, 0, -4, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
    painter->restore();
}

QSize ScoreBarDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    return QStyledItemDelegate::sizeHint(option, index).expandedTo(QSize(90, 28));
}

} // namespace fg
