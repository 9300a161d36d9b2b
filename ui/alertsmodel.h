#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QStringList>

#include "keyedtablemodel.h"

namespace fg {

// One alert as GET /api/alerts lists it.
struct AlertRow {
    qint64 id = 0;
    QString service;
    QString endpoint;
    QString reason;
    QString level;
    QString state;
    bool silenced = false;
    bool test = false;
    QDateTime firedAt;
    QDateTime resolvedAt;
    QString acknowledgedBy;
    QStringList channels;
    QString explanation;
    QString firedText, resolvedText; // local times as shown, formatted once when parsed

    qint64 key() const { return id; }
    bool operator==(const AlertRow &) const = default;
};

// Alerts, newest first, updated in place by id (selection, scroll and the detail pane stay put). GUI thread.
class AlertsModel final : public KeyedTableModel<AlertRow> {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertsModel)

public:
    enum Column { Id, Service, Reason, Level, State, FiredAt, ResolvedAt, AcknowledgedBy, Channels, ColumnCount };
    using KeyedTableModel::KeyedTableModel;

    // The items of GET /api/alerts as rows; pure, so the API client runs it off the GUI thread.
    static QList<AlertRow> parse(const QJsonArray &alerts);
    void setAlerts(QList<AlertRow> alerts) { setRows(std::move(alerts)); }
    const AlertRow &alertAt(int row) const { return m_rows.at(row); }

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
};

} // namespace fg
