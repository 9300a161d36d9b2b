#include "servicesmodel.h"

#include <QLocale>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "timetext.h"

namespace fg {

void ServicesModel::update(QList<ServiceRow> rows)
{
    // Gone: remove from the bottom up so earlier rows keep their numbers.
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        const bool kept = std::any_of(rows.begin(), rows.end(), [&](const ServiceRow &r) { return r.name == m_rows[i].name; });
        if (!kept) {
            beginRemoveRows({}, i, i);
            m_rows.removeAt(i);
            endRemoveRows();
        }
    }
    for (ServiceRow &r : rows) {
        const int at = rowOf(r.name);
        if (at < 0) {
            beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
            m_rows.append(std::move(r));
            endInsertRows();
            continue;
        }
        if (r.sparkline.isEmpty())
            r.sparkline = m_rows[at].sparkline;
        if (r == m_rows[at])
            continue;
        m_rows[at] = std::move(r);
        emit dataChanged(index(at, 0), index(at, ColumnCount - 1));
    }
    // "3 min ago" ages even when nothing else changed.
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, LastSeen), index(int(m_rows.size()) - 1, LastSeen), {Qt::DisplayRole});
}

void ServicesModel::setSparkline(const QString &service, const QList<double> &points)
{
    const int at = rowOf(service);
    if (at < 0)
        return;
    // NaN never equals itself: compare by bits so an unchanged line with gaps is not repainted.
    const QList<double> &old = m_rows[at].sparkline;
    if (old.size() == points.size() && std::memcmp(old.constData(), points.constData(), sizeof(double) * size_t(old.size())) == 0)
        return;
    m_rows[at].sparkline = points;
    emit dataChanged(index(at, Sparkline), index(at, Sparkline));
}

int ServicesModel::rowOf(const QString &service) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].name == service)
            return i;
    return -1;
}

int ServicesModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }
int ServicesModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ServicesModel::display(const ServiceRow &r, int column) const
{
    const QLocale locale;
    switch (column) {
    case Name: return r.name;
    case Score: return r.score ? QVariant(locale.toString(*r.score, 'f', 0)) : QVariant(QStringLiteral("—"));
    case State: return StatePalette::healthText(r.state);
    case P95: {
        if (!r.p95Ms)
            return QStringLiteral("—");
        const QString now = tr("%1 ms").arg(locale.toString(*r.p95Ms, 'f', 0));
        if (!r.baselineP95Ms)
            return now;
        return tr("%1 (baseline %2)").arg(now, locale.toString(*r.baselineP95Ms, 'f', 0));
    }
    case ErrorRate: return tr("%1 %").arg(locale.toString(r.errorRate * 100, 'f', r.errorRate < 0.1 ? 2 : 1));
    case Throughput:
        return r.throughputRps ? tr("%1/s").arg(locale.toString(*r.throughputRps, 'f', *r.throughputRps < 10 ? 2 : 0))
                               : QStringLiteral("—");
    case OpenAlerts: return r.openAlerts;
    case LastSeen: return relativeTime(r.lastSeen);
    default: return {};
    }
}

QVariant ServicesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ServiceRow &r = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole: return display(r, index.column());
    case Qt::DecorationRole:
        return index.column() == State ? QVariant(StatePalette::healthIcon(r.state)) : QVariant();
    case Qt::ForegroundRole:
        if (index.column() == Score || index.column() == State)
            return StatePalette::health(r.state);
        if (index.column() == OpenAlerts && r.openAlerts > 0)
            return StatePalette::health(HealthState::Critical);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Name || index.column() == State)
            return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == Sparkline)
            return tr("p95 latency per minute over the last hour (events per second for services without requests)");
        if (index.column() == LastSeen)
            return localTime(r.lastSeen);
        if (index.column() == Score && r.score)
            return tr("Health %1 of 100: %2").arg(QLocale().toString(*r.score, 'f', 0), StatePalette::healthText(r.state));
        return {};
    case SortRole:
        // Worst first: the state's rank, then the score within it, then the name.
        return QStringLiteral("%1 %2 %3")
            .arg(healthStateRank(r.state))
            .arg(r.score ? int(std::lround(*r.score * 10)) : 0, 4, 10, QLatin1Char('0'))
            .arg(r.name);
    case SparklineRole: return QVariant::fromValue(r.sparkline);
    case ServiceNameRole: return r.name;
    case ScoreRole: return r.score ? QVariant(*r.score) : QVariant();
    default: return {};
    }
}

QVariant ServicesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name: return tr("Service");
    case Score: return tr("Health");
    case State: return tr("State");
    case P95: return tr("p95 latency");
    case ErrorRate: return tr("Errors");
    case Throughput: return tr("Throughput");
    case OpenAlerts: return tr("Open alerts");
    case LastSeen: return tr("Last seen");
    case Sparkline: return tr("Last hour");
    default: return {};
    }
}

} // namespace fg
