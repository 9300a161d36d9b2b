#pragma once

#include <QAbstractTableModel>
#include <QList>

#include "servicerow.h"

namespace fg {

// The services overview's rows, keyed by service name. Updates are applied in place — rows that came are
// inserted, rows that went are removed, changed cells get dataChanged — so selection and scroll stay put.
// Order is arrival order; the view sorts worst first through a proxy (SortRole). GUI thread.
class ServicesModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServicesModel)

public:
    enum Column { Name, Score, State, P95, ErrorRate, Throughput, OpenAlerts, LastSeen, Sparkline, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, SparklineRole, ServiceNameRole, ScoreRole };
    using QAbstractTableModel::QAbstractTableModel;

    // Replaces the rows with these (matched by name); keeps sparklines the caller does not have yet.
    void update(QList<ServiceRow> rows);
    void setSparkline(const QString &service, const QList<double> &points);
    const QList<ServiceRow> &rows() const { return m_rows; }
    int rowOf(const QString &service) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QVariant display(const ServiceRow &r, int column) const;
    QList<ServiceRow> m_rows;
};

} // namespace fg
