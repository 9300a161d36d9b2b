#pragma once

#include <QStyledItemDelegate>

namespace fg {

// Draws a cell's SparklineRole values (a QList<double>, NaN = gap) as a small line scaled to its own
// range, with the last value marked. GUI thread.
class SparklineDelegate final : public QStyledItemDelegate {
    Q_OBJECT

public:
    explicit SparklineDelegate(int role, QObject *parent = nullptr) : QStyledItemDelegate(parent), m_role(role) {}

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_role;
};

} // namespace fg
