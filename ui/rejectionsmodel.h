#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QString>

#include "keyedtablemodel.h"

namespace fg {

// One refused (or partly refused) ingest request from /api/ingest/rejections.
struct RejectionRow {
    qint64 id = 0;
    QDateTime at;
    QString route;
    int status = 0;
    int rejectedItems = 0;
    bool partial = false;
    QString reason;
    QString field;
    QString source;

    qint64 key() const { return id; }
    bool operator==(const RejectionRow &) const = default;
};

// The ingest inspector's table, newest first; new refusals are inserted at the top. GUI thread.
class RejectionsModel final : public KeyedTableModel<RejectionRow> {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RejectionsModel)

public:
    enum Column { Time, Route, Status, Field, Source, Reason, ColumnCount };
    using KeyedTableModel::KeyedTableModel;

    void setRejections(const QJsonArray &items);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
};

} // namespace fg
