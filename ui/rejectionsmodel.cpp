#include "rejectionsmodel.h"

#include <QJsonObject>

#include "timetext.h"

namespace fg {

void RejectionsModel::setRejections(const QJsonArray &items)
{
    QList<RejectionRow> rows;
    for (const QJsonValue &v : items) {
        const QJsonObject o = v.toObject();
        RejectionRow r;
        r.id = o.value(QStringLiteral("id")).toInteger();
        r.at = apiTime(o.value(QStringLiteral("at")).toString());
        r.route = o.value(QStringLiteral("route")).toString();
        r.status = o.value(QStringLiteral("status")).toInt();
        r.rejectedItems = o.value(QStringLiteral("rejected_items")).toInt();
        r.partial = o.value(QStringLiteral("partial")).toBool();
        r.reason = o.value(QStringLiteral("reason")).toString();
        r.field = o.value(QStringLiteral("field")).toString();
        r.source = o.value(QStringLiteral("source")).toString();
        rows.append(std::move(r));
    }
    setRows(std::move(rows));
}

int RejectionsModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RejectionsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RejectionRow &r = m_rows[index.row()];
    if (role == Qt::ToolTipRole && index.column() == Reason)
        return r.reason;
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Time: return localTime(r.at);
    case Route: return r.route;
    case Status:
        return r.partial ? tr("%1, %n item(s) refused", nullptr, r.rejectedItems).arg(r.status) : QString::number(r.status);
    case Reason: return r.reason;
    case Field: return r.field;
    case Source: return r.source == QLatin1String("window") ? tr("this window") : r.source;
    case ColumnCount: break;
    }
    return {};
}

QVariant RejectionsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Time: return tr("Time");
    case Route: return tr("Route");
    case Status: return tr("Status");
    case Reason: return tr("Reason");
    case Field: return tr("Field");
    case Source: return tr("From");
    case ColumnCount: break;
    }
    return {};
}

} // namespace fg
