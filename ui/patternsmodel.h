#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QString>

#include "keyedtablemodel.h"

namespace fg {

// One log template from /api/analytics/errors/patterns.
struct PatternRow {
    QString id;
    QString text;
    QString sample;
    QString level;
    qint64 count = 0; // in the range
    qint64 total = 0;
    QDateTime firstSeen;
    QDateTime lastSeen;
    bool isNew = false; // first seen inside the range

    const QString &key() const { return id; }
    bool operator==(const PatternRow &) const = default;
};

// A service's top error patterns, most frequent first (the API's order), with a "new" badge for
// templates first seen within the chosen range. GUI thread.
class PatternsModel final : public KeyedTableModel<PatternRow> {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PatternsModel)

public:
    enum Column { Pattern, Count, Level, FirstSeen, LastSeen, ColumnCount };
    using KeyedTableModel::KeyedTableModel;

    void setPatterns(const QJsonArray &items, const QDateTime &rangeStart);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
};

} // namespace fg
