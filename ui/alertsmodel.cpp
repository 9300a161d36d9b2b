#include "alertsmodel.h"

#include <QBrush>
#include <QJsonObject>

#include "statepalette.h"
#include "timetext.h"

namespace fg {

namespace {
QString shortTime(const QDateTime &t)
{
    return t.isValid() ? t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
}
} // namespace

QList<AlertRow> AlertsModel::parse(const QJsonArray &alerts)
{
    QList<AlertRow> rows;
    rows.reserve(alerts.size());
    for (const QJsonValue &v : alerts) {
        const QJsonObject a = v.toObject();
        AlertRow r;
        r.id = a.value(QStringLiteral("id")).toInteger();
        r.service = a.value(QStringLiteral("service")).toString();
        r.endpoint = a.value(QStringLiteral("endpoint")).toString();
        r.reason = a.value(QStringLiteral("reason")).toString();
        r.level = a.value(QStringLiteral("level")).toString();
        r.state = a.value(QStringLiteral("state")).toString();
        r.silenced = a.value(QStringLiteral("silenced")).toBool();
        r.test = a.value(QStringLiteral("test")).toBool();
        r.firedAt = apiTime(a.value(QStringLiteral("fired_at")).toString());
        r.resolvedAt = apiTime(a.value(QStringLiteral("resolved_at")).toString());
        r.acknowledgedBy = a.value(QStringLiteral("acknowledged_by")).toString();
        for (const QJsonValue &c : a.value(QStringLiteral("channels")).toArray())
            r.channels << c.toString();
        r.explanation = a.value(QStringLiteral("explanation")).toString();
        r.firedText = shortTime(r.firedAt);
        r.resolvedText = shortTime(r.resolvedAt);
        rows.append(std::move(r));
    }
    return rows;
}

int AlertsModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant AlertsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AlertRow &a = m_rows[index.row()];
    if (role == Qt::ForegroundRole && index.column() == Level)
        return QBrush(StatePalette::level(a.level));
    if (role == Qt::ToolTipRole)
        return a.explanation;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Id: return a.id;
    case Service: return a.endpoint.isEmpty() ? a.service : a.service + QLatin1Char(' ') + a.endpoint;
    case Reason: return a.reason + (a.test ? tr(" (test)") : QString());
    case Level: return a.level;
    case State: return a.state + (a.silenced ? tr(", silenced") : QString());
    case FiredAt: return a.firedText;
    case ResolvedAt: return a.resolvedText;
    case AcknowledgedBy: return a.acknowledgedBy;
    case Channels: return a.channels.join(QStringLiteral(", "));
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
