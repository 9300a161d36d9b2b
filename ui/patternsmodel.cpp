#include "patternsmodel.h"

#include <QJsonObject>
#include <QLocale>

#include "statepalette.h"
#include "timetext.h"

namespace fg {

void PatternsModel::setPatterns(const QJsonArray &items, const QDateTime &rangeStart)
{
    QList<PatternRow> rows;
    for (const QJsonValue &v : items) {
        const QJsonObject t = v.toObject();
        PatternRow r;
        r.id = t.value(QStringLiteral("template_id")).toString();
        r.text = t.value(QStringLiteral("template")).toString();
        r.sample = t.value(QStringLiteral("sample")).toString();
        r.level = t.value(QStringLiteral("level")).toString();
        r.count = t.value(QStringLiteral("count")).toInteger();
        r.total = t.value(QStringLiteral("total")).toInteger();
        r.firstSeen = apiTime(t.value(QStringLiteral("first_seen")).toString());
        r.lastSeen = apiTime(t.value(QStringLiteral("last_seen")).toString());
        r.isNew = r.firstSeen.isValid() && r.firstSeen >= rangeStart;
        rows.append(std::move(r));
    }
    setRows(std::move(rows));
    // "3 min ago" ages even when nothing else changed.
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, FirstSeen), index(int(m_rows.size()) - 1, LastSeen), {Qt::DisplayRole});
}

int PatternsModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant PatternsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PatternRow &r = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Pattern: return r.isNew ? tr("NEW  %1").arg(r.text) : r.text;
        case Count: return QLocale().toString(r.count);
        case Level: return r.level;
        case FirstSeen: return relativeTime(r.firstSeen);
        case LastSeen: return relativeTime(r.lastSeen);
        default: return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Pattern: return tr("Example: %1").arg(r.sample);
        case Count: return tr("%1 in the range, %2 in all").arg(QLocale().toString(r.count), QLocale().toString(r.total));
        case FirstSeen: return localTime(r.firstSeen);
        case LastSeen: return localTime(r.lastSeen);
        default: return {};
        }
    case Qt::ForegroundRole:
        if (index.column() == Level)
            return StatePalette::level(r.level);
        if (index.column() == Pattern && r.isNew)
            return StatePalette::health(HealthState::Degraded);
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Count ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    default: return {};
    }
}

QVariant PatternsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Pattern: return tr("Error pattern");
    case Count: return tr("Count");
    case Level: return tr("Level");
    case FirstSeen: return tr("First seen");
    case LastSeen: return tr("Last seen");
    default: return {};
    }
}

} // namespace fg
