#include "alertcsvexport.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

#include "csvfilewriter.h"

namespace fg {

AlertCsvExport::AlertCsvExport(const ApiClient *api, const QByteArray &query, const QString &path, int pageRows,
                               QObject *parent)
    : QObject(parent), m_api(api), m_query(query), m_path(path), m_writer(new CsvFileWriter),
      m_pageRows(std::clamp(pageRows, 1, 1000))
{
    m_thread.setObjectName(QStringLiteral("csv-export"));
    m_writer->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_writer, &QObject::deleteLater);
    connect(m_writer, &CsvFileWriter::appended, this, &AlertCsvExport::pageWritten);
    connect(m_writer, &CsvFileWriter::committed, this, [this] { finish(true, m_path); });
    connect(m_writer, &CsvFileWriter::failed, this, [this](const QString &message) { finish(false, message); });
}

AlertCsvExport::~AlertCsvExport()
{
    if (!m_thread.isRunning() && !m_thread.isFinished()) {
        delete m_writer; // never started
        return;
    }
    // The writer holds at most one page; its last write ends quickly.
    m_thread.quit();
    m_thread.wait();
}

void AlertCsvExport::start()
{
    m_thread.start();
    QMetaObject::invokeMethod(m_writer, [w = m_writer, path = m_path] { w->open(path); }, Qt::QueuedConnection);
    fetchPage();
}

void AlertCsvExport::cancel()
{
    if (m_done)
        return;
    QMetaObject::invokeMethod(m_writer, &CsvFileWriter::discard, Qt::QueuedConnection);
    finish(false, tr("Export cancelled"));
}

void AlertCsvExport::fetchPage()
{
    QByteArray target = "/api/alerts/export.csv?limit=" + QByteArray::number(m_pageRows);
    if (!m_query.isEmpty())
        target += '&' + m_query;
    if (!m_next.isEmpty())
        target += "&cursor=" + m_next;
    m_api->fetch(target, this, [this, first = m_next.isEmpty()](const HttpResponse &r) {
        if (m_done)
            return;
        if (r.status != 200) {
            QMetaObject::invokeMethod(m_writer, &CsvFileWriter::discard, Qt::QueuedConnection);
            return finish(false, ApiClient::errorText(QJsonDocument::fromJson(r.body).object()));
        }
        ++m_pages;
        m_next.clear();
        for (const auto &[name, value] : r.headers)
            if (name.compare("X-Next-Cursor", Qt::CaseInsensitive) == 0)
                m_next = value;
        // Rows end in CRLF (a line break inside a quoted explanation is a bare LF); the first page has the header.
        m_rows += std::max(0, int(r.body.count("\r\n")) - (first ? 1 : 0));
        QMetaObject::invokeMethod(m_writer, [w = m_writer, body = r.body] { w->append(body); }, Qt::QueuedConnection);
    });
}

void AlertCsvExport::pageWritten()
{
    if (m_done)
        return;
    emit progress(m_rows);
    if (m_done) // cancelled while saying so
        return;
    if (m_next.isEmpty())
        QMetaObject::invokeMethod(m_writer, &CsvFileWriter::commit, Qt::QueuedConnection);
    else
        fetchPage();
}

void AlertCsvExport::finish(bool ok, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    emit finished(ok, message);
}

} // namespace fg
