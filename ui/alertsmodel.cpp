#include "alertsmodel.h"

#include <QBrush>
#include <QDateTime>

#include "statepalette.h"

namespace fg {

namespace {
QString shortTime(const QJsonValue &v)
{
    if (v.isNull() || v.isUndefined())
        return {};
    return QDateTime::fromString(v.toString(), Qt::ISODateWithMs).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}
} // namespace

void AlertsModel::setAlerts(const QJsonArray &alerts)
{
    beginResetModel();
    m_alerts = alerts;
    endResetModel();
}

QJsonObject AlertsModel::alertAt(int row) const { return m_alerts.at(row).toObject(); }

int AlertsModel::rowOf(qint64 id) const
{
    for (int i = 0; i < m_alerts.size(); ++i)
        if (m_alerts.at(i).toObject().value(QStringLiteral("id")).toInteger() == id)
            return i;
    return -1;
}

int AlertsModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_alerts.size()); }
int AlertsModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant AlertsModel::data(const QModelIndex &index, int role) const
{
    const QJsonObject a = alertAt(index.row());
    if (role == Qt::ForegroundRole && index.column() == Level) {
        return QBrush(StatePalette::level(a.value(QStringLiteral("level")).toString()));
    }
    if (role == Qt::ToolTipRole)
        return a.value(QStringLiteral("explanation")).toString();
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Id: return a.value(QStringLiteral("id")).toInteger();
    case Service: {
        const QString endpoint = a.value(QStringLiteral("endpoint")).toString();
        return a.value(QStringLiteral("service")).toString() + (endpoint.isEmpty() ? QString() : QLatin1Char(' ') + endpoint);
    }
    case Reason: return a.value(QStringLiteral("reason")).toString() + (a.value(QStringLiteral("test")).toBool() ? tr(" (test)") : QString());
    case Level: return a.value(QStringLiteral("level")).toString();
    case State: return a.value(QStringLiteral("state")).toString() + (a.value(QStringLiteral("silenced")).toBool() ? tr(", silenced") : QString());
    case FiredAt: return shortTime(a.value(QStringLiteral("fired_at")));
    case ResolvedAt: return shortTime(a.value(QStringLiteral("resolved_at")));
    case AcknowledgedBy: return a.value(QStringLiteral("acknowledged_by")).toString();
    case Channels: {
        QStringList names;
        for (const QJsonValue &c : a.value(QStringLiteral("channels")).toArray())
            names << c.toString();
        return names.join(QStringLiteral(", "));
    }
    default: return {};
    }
}

QVariant AlertsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Id: return tr("ID");
    case Service: return tr("Service");
    case Reason: return tr("Reason");
    case Level: return tr("Level");
    case State: return tr("State");
    case FiredAt: return tr("Fired");
    case ResolvedAt: return tr("Resolved");
    case AcknowledgedBy: return tr("Acknowledged by");
    case Channels: return tr("Notified");
    default: return {};
    }
}

} // namespace fg
