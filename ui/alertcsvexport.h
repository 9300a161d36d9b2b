#pragma once

#include <QObject>
#include <QThread>

#include "apiclient.h"

namespace fg {

class CsvFileWriter;

// One CSV export of the alert history: reads the report from the API a page at a time
// (/api/alerts/export.csv?…&limit=&cursor=) and hands each page to a writer on its own thread, asking for
// the next page only once the last is written, so memory stays at one page and Cancel takes effect
// between pages. A cancelled or failed export leaves no file. GUI thread (the writer has its own).
class AlertCsvExport final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertCsvExport)

public:
    static constexpr int kPageRows = 500;
    // `query`: the filters, as AlertFilter::query() gives them; `pageRows` alerts per request.
    AlertCsvExport(const ApiClient *api, const QByteArray &query, const QString &path, int pageRows = kPageRows,
                   QObject *parent = nullptr);
    ~AlertCsvExport() override;

    void start();
    void cancel();
    int rows() const { return m_rows; }
    int pages() const { return m_pages; }

signals:
    void progress(int rows);
    // ok: the file is complete; else `message` says why there is none.
    void finished(bool ok, const QString &message);

private:
    void fetchPage();
    void pageWritten();
    void finish(bool ok, const QString &message);

    const ApiClient *m_api;
    QByteArray m_query;
    QString m_path;
    QThread m_thread;
    CsvFileWriter *m_writer;
    QByteArray m_next; // cursor of the next page; empty after the last
    int m_pageRows;
    int m_rows = 0;
    int m_pages = 0;
    bool m_done = false;
};

} // namespace fg
