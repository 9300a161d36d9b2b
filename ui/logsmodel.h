#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>
#include <QSet>

#include "apiclient.h"

namespace fg {

// One stored log event as /api/logs returns it.
struct LogRow {
    QString id;
    QDateTime ts;
    QString service;
    QString level;
    QString message;
    QString endpoint;
    QString method;
    int statusCode = 0;
    double latencyMs = -1; // < 0: none
    QString traceId;
    QString timeText; // local time as shown, formatted once when parsed
};

// What to search: empty fields do not filter. `from` invalid: all stored history.
struct LogSearch {
    QString service;
    QString minLevel;
    QString text;
    QDateTime from;
    QDateTime to;

    bool operator==(const LogSearch &) const = default;
};

// Search results over /api/logs, newest first, paged in with canFetchMore/fetchMore by the API's
// next_cursor as the view scrolls, so a search over millions of rows costs one page at a time. Follow
// mode puts newer events on top (polling the newest page). Rows are typed, never re-parsed in data().
// GUI thread; all I/O through the API client.
class LogsModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogsModel)

public:
    enum Column { Time, Service, Level, Message, ColumnCount };
    explicit LogsModel(const ApiClient *api, QObject *parent = nullptr);

    // A new search: the rows so far go (one reset) and the first page is asked for.
    void search(const LogSearch &search);
    // Asks for events newer than the newest row and puts them on top.
    void pollNewest();
    void setPageSize(int rows) { m_pageSize = rows; }
    bool loading() const { return m_loading; }
    bool hasMore() const { return !m_cursor.isEmpty(); }
    const LogRow &row(int i) const { return m_rows.at(i); }
    QString lastError() const { return m_error; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

signals:
    // After each page or poll was applied (the view's status line and the tests follow it).
    void pageLoaded();

private:
    // One answer of /api/logs, parsed off the GUI thread.
    struct Page {
        int status = 0;
        QString error;
        QList<LogRow> rows;
        QString cursor;
        bool more = false; // next_cursor was set
    };
    QByteArray target(const QString &cursor, const QDateTime &after) const;
    static Page parse(int status, const QJsonObject &json);
    // A first or further page arrived: its rows not seen yet go to the end, its cursor is kept.
    void appendPage(Page page);

    const ApiClient *m_api;
    LogSearch m_search;
    QList<LogRow> m_rows;
    QSet<QString> m_ids; // rows already shown, so a poll never doubles one
    QString m_cursor;    // the next older page; empty: none
    QString m_error;
    int m_pageSize = 200;
    int m_generation = 0; // answers for an older search are dropped
    bool m_loading = false;
    bool m_polling = false;
};

} // namespace fg
