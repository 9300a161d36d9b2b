#include "endpointsmodel.h"

#include <QJsonObject>
#include <QLocale>

#include <cmath>

namespace fg {

namespace {
std::optional<double> number(const QJsonValue &v)
{
    return v.isDouble() ? std::optional<double>(v.toDouble()) : std::nullopt;
}
} // namespace

void EndpointsModel::setEndpoints(const QJsonArray &endpoints)
{
    QList<EndpointRow> rows;
    for (const QJsonValue &v : endpoints) {
        const QJsonObject e = v.toObject(), kpis = e.value(QStringLiteral("kpis")).toObject();
        rows.append(EndpointRow{e.value(QStringLiteral("endpoint")).toString(), number(e.value(QStringLiteral("score"))),
                                healthStateFromApi(e.value(QStringLiteral("status")).toString()),
                                number(kpis.value(QStringLiteral("p95_latency_ms"))),
                                number(kpis.value(QStringLiteral("baseline_p95_latency_ms"))),
                                kpis.value(QStringLiteral("error_rate")).toDouble()});
    }
    setRows(std::move(rows));
}

int EndpointsModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant EndpointsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EndpointRow &r = m_rows[index.row()];
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Endpoint: return r.endpoint;
        case Score: return r.score ? QVariant(locale.toString(*r.score, 'f', 0)) : QVariant(QStringLiteral("—"));
        case State: return StatePalette::healthText(r.state);
        case P95:
            if (!r.p95Ms)
                return QStringLiteral("—");
            return r.baselineP95Ms ? tr("%1 ms (baseline %2)").arg(locale.toString(*r.p95Ms, 'f', 0), locale.toString(*r.baselineP95Ms, 'f', 0))
                                   : tr("%1 ms").arg(locale.toString(*r.p95Ms, 'f', 0));
        case ErrorRate: return tr("%1 %").arg(locale.toString(r.errorRate * 100, 'f', 2));
        default: return {};
        }
    case Qt::DecorationRole: return index.column() == State ? QVariant(StatePalette::healthIcon(r.state)) : QVariant();
    case Qt::ForegroundRole:
        return index.column() == Score || index.column() == State ? QVariant(StatePalette::health(r.state)) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == Endpoint || index.column() == State ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                                                      : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case ScoreRole: return r.score ? QVariant(*r.score) : QVariant();
    case Qt::UserRole: // worst first
        return QStringLiteral("%1 %2 %3")
            .arg(healthStateRank(r.state))
            .arg(r.score ? int(std::lround(*r.score * 10)) : 0, 4, 10, QLatin1Char('0'))
            .arg(r.endpoint);
    default: return {};
    }
}

QVariant EndpointsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Endpoint: return tr("Endpoint");
    case Score: return tr("Health");
    case State: return tr("State");
    case P95: return tr("p95 latency");
    case ErrorRate: return tr("Errors");
    default: return {};
    }
}

} // namespace fg
