#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>

namespace fg {

// Alerts as GET /api/alerts returns them, one row each, newest first.
class AlertsModel final : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Id, Service, Reason, Level, State, FiredAt, ResolvedAt, AcknowledgedBy, Channels, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setAlerts(const QJsonArray &alerts);
    QJsonObject alertAt(int row) const;
    int rowOf(qint64 id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QJsonArray m_alerts;
};

} // namespace fg
