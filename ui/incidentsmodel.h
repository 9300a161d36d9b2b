#pragma once

#include <QAbstractItemModel>
#include <QDateTime>
#include <QJsonArray>
#include <QList>

namespace fg {

// One alert of an incident, as GET /api/incidents lists it.
struct IncidentAlertRow {
    qint64 id = 0;
    QString endpoint;
    QString reason;
    QString level;
    QString state; // pending, firing, resolved
    QDateTime firedAt;
    QDateTime resolvedAt;
    QString acknowledgedBy;
    bool silenced = false;
    QString firedText; // local time as shown, formatted once when parsed

    qint64 key() const { return id; }
    // Still open and nobody has taken it: what acknowledging its incident acknowledges.
    bool awaitsAcknowledgement() const
    {
        return acknowledgedBy.isEmpty() && (state == QLatin1String("firing") || state == QLatin1String("pending"));
    }
    bool operator==(const IncidentAlertRow &) const = default;
};

struct IncidentRow {
    qint64 id = 0;
    QString service;
    QString title;
    QString severity;
    QString state; // open, closed
    QDateTime openedAt;
    QDateTime closedAt;
    QDateTime lastActivity;
    int alertCount = 0;
    QString explanation;
    QList<IncidentAlertRow> alerts;
    QString openedText; // local time as shown, formatted once when parsed

    qint64 key() const { return id; }
    bool operator==(const IncidentRow &) const = default;
};

// Incidents, newest first, as top-level rows with their alerts as children. Updated in place by id at
// both levels (rows removed, inserted or changed; never a reset), so selection, expansion and scroll stay
// put. A child's internal id is its incident's id. GUI thread.
class IncidentsModel final : public QAbstractItemModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IncidentsModel)

public:
    enum Column { Severity, Service, Title, State, Opened, LastActivity, Duration, Alerts, Acknowledged, ColumnCount };
    using QAbstractItemModel::QAbstractItemModel;

    // The "items" of GET /api/incidents; pure, so the API client runs it off the GUI thread.
    static QList<IncidentRow> parse(const QJsonArray &items);
    void setIncidents(QList<IncidentRow> incidents);
    const QList<IncidentRow> &incidents() const { return m_rows; }
    int rowOf(qint64 incidentId) const;
    // The incident of a row or of one of its alerts; nullptr for an invalid index.
    const IncidentRow *incidentAt(const QModelIndex &index) const;
    // The alert of a child row; nullptr for an incident row.
    const IncidentAlertRow *alertAt(const QModelIndex &index) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    void setAlerts(int incidentRow, QList<IncidentAlertRow> alerts);
    QVariant incidentData(const IncidentRow &i, int column, int role) const;
    QVariant alertData(const IncidentAlertRow &a, int column, int role) const;

    QList<IncidentRow> m_rows;
};

} // namespace fg
