#pragma once

#include <QStyledItemDelegate>

namespace fg {

// The health column: the score as a number over a bar as long as the score, in the state's colour
// (the state's icon and word sit in the next column, so colour is never the only cue). GUI thread.
class ScoreBarDelegate final : public QStyledItemDelegate {
    Q_OBJECT

public:
    // valueRole: the score (double, or invalid when there is none); colourRole: the bar's colour.
    ScoreBarDelegate(int valueRole, int colourRole, QObject *parent = nullptr)
        : QStyledItemDelegate(parent), m_valueRole(valueRole), m_colourRole(colourRole)
    {
    }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_valueRole;
    int m_colourRole;
};

} // namespace fg
