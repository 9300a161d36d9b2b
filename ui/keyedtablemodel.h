#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QSet>

#include <algorithm>
#include <type_traits>

namespace fg {

// A table of typed rows with a key (Row::key()), replaced in place: rows whose key went are removed,
// new keys are inserted where the new list has them (newest-first lists grow at the top), changed rows
// get dataChanged; never a reset, so selection and scroll stay put.
// Row needs key() and operator==. GUI thread.
template <typename Row>
class KeyedTableModel : public QAbstractTableModel {
public:
    using QAbstractTableModel::QAbstractTableModel;

    void setRows(QList<Row> rows)
    {
        // Linear in the rows: keys looked up in a set, and a kept row is looked for where the new list
        // has it first (lists keep their order between updates).
        QSet<std::decay_t<decltype(rows.first().key())>> keys;
        keys.reserve(rows.size());
        for (const Row &r : rows)
            keys.insert(r.key());
        for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
            if (!keys.contains(m_rows[i].key())) {
                beginRemoveRows({}, i, i);
                m_rows.removeAt(i);
                endRemoveRows();
            }
        }
        for (int i = 0; i < rows.size(); ++i) {
            Row &r = rows[i];
            const int at = i < m_rows.size() && m_rows[i].key() == r.key() ? i : rowOf(r.key());
            if (at < 0) {
                const int to = std::min(i, int(m_rows.size()));
                beginInsertRows({}, to, to);
                m_rows.insert(to, std::move(r));
                endInsertRows();
            } else if (!(m_rows[at] == r)) {
                m_rows[at] = std::move(r);
                emit dataChanged(index(at, 0), index(at, columnCount() - 1));
            }
        }
    }
    const QList<Row> &rows() const { return m_rows; }
    template <typename Key>
    int rowOf(const Key &key) const
    {
        for (int i = 0; i < m_rows.size(); ++i)
            if (m_rows[i].key() == key)
                return i;
        return -1;
    }
    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }

protected:
    QList<Row> m_rows;
};

} // namespace fg
