#include "incidentsmodel.h"

#include <QBrush>
#include <QJsonObject>
#include <QSet>

#include <algorithm>

#include "alerttext.h"
#include "statepalette.h"
#include "timetext.h"

namespace fg {

namespace {

// Rows whose key left `next` are removed, new keys inserted where `next` has them, changed rows
// reported; `rows` ends equal to `next`. The callbacks wrap the model's begin/end notifications.
template <typename Row, typename Remove, typename Insert, typename Changed>
void updateKeyed(QList<Row> &rows, QList<Row> next, Remove remove, Insert insert, Changed changed)
{
    // Linear in the rows: keys looked up in a set, and a kept row is looked for where `next` has it first.
    QSet<qint64> keys;
    keys.reserve(next.size());
    for (const Row &r : next)
        keys.insert(r.key());
    for (int i = int(rows.size()) - 1; i >= 0; --i)
        if (!keys.contains(rows[i].key()))
            remove(i, [&] { rows.removeAt(i); });
    for (int i = 0; i < next.size(); ++i) {
        const qint64 key = next[i].key();
        int at = i < rows.size() && rows[i].key() == key ? i : -1;
        for (int j = 0; at < 0 && j < rows.size(); ++j)
            if (rows[j].key() == key)
                at = j;
        if (at < 0) {
            const int to = std::min(i, int(rows.size()));
            insert(to, [&] { rows.insert(to, std::move(next[i])); });
        } else {
            changed(at, std::move(next[i]));
        }
    }
}

QString shortTime(const QDateTime &t)
{
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
}

// Seconds from `from` to `to`, or to now while it goes on.
qint64 lasted(const QDateTime &from, const QDateTime &to)
{
    return from.isValid() ? from.secsTo(to.isValid() ? to : QDateTime::currentDateTimeUtc()) : 0;
}

} // namespace

QList<IncidentRow> IncidentsModel::parse(const QJsonArray &items)
{
    QList<IncidentRow> rows;
    rows.reserve(items.size());
    for (const QJsonValue &v : items) {
        const QJsonObject o = v.toObject();
        IncidentRow r;
        r.id = o.value(QStringLiteral("id")).toInteger();
        r.service = o.value(QStringLiteral("service")).toString();
        r.title = o.value(QStringLiteral("title")).toString();
        r.severity = o.value(QStringLiteral("severity")).toString();
        r.state = o.value(QStringLiteral("state")).toString();
        r.openedAt = apiTime(o.value(QStringLiteral("opened_at")).toString());
        r.closedAt = apiTime(o.value(QStringLiteral("closed_at")).toString());
        r.lastActivity = apiTime(o.value(QStringLiteral("last_activity_at")).toString());
        r.alertCount = o.value(QStringLiteral("alert_count")).toInt();
        r.explanation = o.value(QStringLiteral("explanation")).toString();
        r.openedText = shortTime(r.openedAt);
        for (const QJsonValue &av : o.value(QStringLiteral("alerts")).toArray()) {
            const QJsonObject a = av.toObject();
            IncidentAlertRow alert;
            alert.id = a.value(QStringLiteral("id")).toInteger();
            alert.endpoint = a.value(QStringLiteral("endpoint")).toString();
            alert.reason = a.value(QStringLiteral("reason")).toString();
            alert.level = a.value(QStringLiteral("level")).toString();
            alert.state = a.value(QStringLiteral("state")).toString();
            alert.firedAt = apiTime(a.value(QStringLiteral("fired_at")).toString());
            alert.resolvedAt = apiTime(a.value(QStringLiteral("resolved_at")).toString());
            alert.acknowledgedBy = a.value(QStringLiteral("acknowledged_by")).toString();
            alert.silenced = a.value(QStringLiteral("silenced")).toBool();
            alert.firedText = shortTime(alert.firedAt);
            if (alert.id > 0)
                r.alerts.append(std::move(alert));
        }
        if (r.id > 0)
            rows.append(std::move(r));
    }
    return rows;
}

void IncidentsModel::setIncidents(QList<IncidentRow> incidents)
{
    updateKeyed(
        m_rows, std::move(incidents),
        [this](int row, auto apply) {
            beginRemoveRows({}, row, row);
            apply();
            endRemoveRows();
        },
        [this](int row, auto apply) {
            beginInsertRows({}, row, row);
            apply();
            endInsertRows();
        },
        [this](int row, IncidentRow next) {
            setAlerts(row, std::move(next.alerts));
            next.alerts = m_rows[row].alerts;
            if (!(m_rows[row] == next)) {
                m_rows[row] = std::move(next);
                emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
            }
        });
    // Relative times and running durations move on with the clock.
    for (int row = 0; row < m_rows.size(); ++row) {
        emit dataChanged(index(row, LastActivity), index(row, Duration));
        if (const int n = int(m_rows[row].alerts.size()))
            emit dataChanged(index(0, Duration, index(row, 0)), index(n - 1, Duration, index(row, 0)));
    }
}

void IncidentsModel::setAlerts(int incidentRow, QList<IncidentAlertRow> alerts)
{
    const QModelIndex parent = index(incidentRow, 0);
    updateKeyed(
        m_rows[incidentRow].alerts, std::move(alerts),
        [this, parent](int row, auto apply) {
            beginRemoveRows(parent, row, row);
            apply();
            endRemoveRows();
        },
        [this, parent](int row, auto apply) {
            beginInsertRows(parent, row, row);
            apply();
            endInsertRows();
        },
        [this, parent, incidentRow](int row, IncidentAlertRow next) {
            IncidentAlertRow &current = m_rows[incidentRow].alerts[row];
            if (!(current == next)) {
                current = std::move(next);
                emit dataChanged(index(row, 0, parent), index(row, ColumnCount - 1, parent));
            }
        });
}

int IncidentsModel::rowOf(qint64 incidentId) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == incidentId)
            return i;
    return -1;
}

const IncidentRow *IncidentsModel::incidentAt(const QModelIndex &index) const
{
    if (!index.isValid())
        return nullptr;
    const int row = index.internalId() ? rowOf(qint64(index.internalId())) : index.row();
    return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
}

const IncidentAlertRow *IncidentsModel::alertAt(const QModelIndex &index) const
{
    if (!index.isValid() || !index.internalId())
        return nullptr;
    const IncidentRow *incident = incidentAt(index);
    return incident && index.row() < incident->alerts.size() ? &incident->alerts[index.row()] : nullptr;
}

QModelIndex IncidentsModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (!parent.isValid())
        return row < m_rows.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() || parent.column() != 0 || parent.row() >= m_rows.size())
        return {}; // alerts have no children
    const IncidentRow &incident = m_rows[parent.row()];
    return row < incident.alerts.size() ? createIndex(row, column, quintptr(incident.id)) : QModelIndex();
}

QModelIndex IncidentsModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || !child.internalId())
        return {};
    const int row = rowOf(qint64(child.internalId()));
    return row >= 0 ? createIndex(row, 0, quintptr(0)) : QModelIndex();
}

int IncidentsModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_rows.size());
    if (parent.internalId() || parent.column() != 0 || parent.row() >= m_rows.size())
        return 0;
    return int(m_rows[parent.row()].alerts.size());
}

int IncidentsModel::columnCount(const QModelIndex &) const { return ColumnCount; }

QVariant IncidentsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (const IncidentAlertRow *a = alertAt(index))
        return alertData(*a, index.column(), role);
    if (const IncidentRow *i = incidentAt(index))
        return incidentData(*i, index.column(), role);
    return {};
}

QVariant IncidentsModel::incidentData(const IncidentRow &i, int column, int role) const
{
    if (role == Qt::ToolTipRole)
        return column == LastActivity ? localTime(i.lastActivity) : i.explanation;
    if (column == Severity && role == Qt::DecorationRole)
        return StatePalette::levelIcon(i.severity);
    if (column == Severity && role == Qt::ForegroundRole)
        return QBrush(StatePalette::level(i.severity));
    if (column == State && role == Qt::DecorationRole)
        return StatePalette::healthIcon(i.state == QLatin1String("open") ? HealthState::Critical : HealthState::Healthy);
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Severity: return alertLevelText(i.severity);
    case Service: return i.service;
    case Title: return i.title;
    case State: return incidentStateText(i.state);
    case Opened: return i.openedText;
    case LastActivity: return i.lastActivity.isValid() ? relativeTime(i.lastActivity) : QString();
    case Duration: return durationText(lasted(i.openedAt, i.closedAt));
    case Alerts: return i.alertCount;
    case Acknowledged: {
        const int waiting = int(std::count_if(i.alerts.begin(), i.alerts.end(),
                                              [](const IncidentAlertRow &a) { return a.awaitsAcknowledgement(); }));
        return waiting ? tr("%n to acknowledge", nullptr, waiting) : QString();
    }
    default: return {};
    }
}

QVariant IncidentsModel::alertData(const IncidentAlertRow &a, int column, int role) const
{
    if (column == Severity && role == Qt::DecorationRole)
        return StatePalette::levelIcon(a.level);
    if (column == Severity && role == Qt::ForegroundRole)
        return QBrush(StatePalette::level(a.level));
    if (column == State && role == Qt::DecorationRole)
        return StatePalette::healthIcon(a.state == QLatin1String("firing")    ? HealthState::Critical
                                        : a.state == QLatin1String("pending") ? HealthState::Degraded
                                                                              : HealthState::Healthy);
    if (role != Qt::DisplayRole)
        return {};
    switch (column) {
    case Severity: return alertLevelText(a.level);
    case Service: return a.endpoint;
    case Title: return tr("#%1 %2").arg(a.id).arg(a.reason);
    case State: return alertStateText(a.state) + (a.silenced ? tr(", silenced") : QString());
    case Opened: return a.firedText;
    case Duration: return a.firedAt.isValid() ? durationText(lasted(a.firedAt, a.resolvedAt)) : QString();
    case Acknowledged: return a.acknowledgedBy;
    default: return {};
    }
}

QVariant IncidentsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Severity: return tr("Severity");
    case Service: return tr("Service");
    case Title: return tr("Incident");
    case State: return tr("State");
    case Opened: return tr("Opened");
    case LastActivity: return tr("Last activity");
    case Duration: return tr("Duration");
    case Alerts: return tr("Alerts");
    case Acknowledged: return tr("Acknowledged");
    default: return {};
    }
}

} // namespace fg
