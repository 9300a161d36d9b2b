#include "logsmodel.h"

#include <QFont>
#include <QJsonArray>
#include <QLocale>
#include <QUrl>

#include "statepalette.h"
#include "timetext.h"

namespace fg {

LogsModel::LogsModel(const ApiClient *api, QObject *parent) : QAbstractTableModel(parent), m_api(api) {}

QByteArray LogsModel::target(const QString &cursor, const QDateTime &after) const
{
    QByteArray t = "/api/logs?limit=" + QByteArray::number(m_pageSize);
    auto add = [&t](const char *name, const QString &value) {
        if (!value.isEmpty())
            t += '&' + QByteArray(name) + '=' + QUrl::toPercentEncoding(value);
    };
    add("service", m_search.service);
    add("level", m_search.minLevel);
    add("q", m_search.text);
    add("cursor", cursor);
    const QDateTime from = after.isValid() ? after : m_search.from;
    if (from.isValid())
        t += "&from=" + apiTimeText(from);
    if (m_search.to.isValid())
        t += "&to=" + apiTimeText(m_search.to);
    return t;
}

LogsModel::Page LogsModel::parse(int status, const QJsonObject &json)
{
    Page page;
    page.status = status;
    if (status != 200) {
        page.error = ApiClient::errorText(json);
        return page;
    }
    const QJsonArray items = json.value(QStringLiteral("items")).toArray();
    page.rows.reserve(items.size());
    const QLocale locale;
    for (const QJsonValue &v : items) {
        const QJsonObject o = v.toObject();
        LogRow r;
        r.id = o.value(QStringLiteral("id")).toString();
        r.ts = apiTime(o.value(QStringLiteral("ts")).toString());
        r.service = o.value(QStringLiteral("service")).toString();
        r.level = o.value(QStringLiteral("level")).toString();
        r.message = o.value(QStringLiteral("message")).toString();
        r.endpoint = o.value(QStringLiteral("endpoint")).toString();
        r.method = o.value(QStringLiteral("method")).toString();
        r.statusCode = o.value(QStringLiteral("status_code")).toInt();
        r.latencyMs = o.value(QStringLiteral("latency_ms")).toDouble(-1);
        r.traceId = o.value(QStringLiteral("trace_id")).toString();
        r.timeText = locale.toString(r.ts.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
        page.rows.append(std::move(r));
    }
    page.cursor = json.value(QStringLiteral("next_cursor")).toString();
    page.more = !json.value(QStringLiteral("next_cursor")).isNull();
    return page;
}

void LogsModel::search(const LogSearch &search)
{
    ++m_generation;
    beginResetModel();
    m_search = search;
    m_rows.clear();
    m_ids.clear();
    m_cursor.clear();
    m_error.clear();
    endResetModel();
    m_loading = true;
    m_polling = false;
    const int generation = m_generation;
    m_api->getRows(target({}, {}), this, &LogsModel::parse, [this, generation](Page page) {
        if (generation == m_generation)
            appendPage(std::move(page));
    });
}

void LogsModel::appendPage(Page page)
{
    m_loading = false;
    if (page.status != 200) {
        m_error = page.error;
        emit pageLoaded();
        return;
    }
    QList<LogRow> rows = std::move(page.rows);
    m_cursor = page.cursor;
    rows.removeIf([this](const LogRow &r) { return m_ids.contains(r.id); });
    if (!rows.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows.size()) - 1);
        for (LogRow &r : rows) {
            m_ids.insert(r.id);
            m_rows.append(std::move(r));
        }
        endInsertRows();
    }
    emit pageLoaded();
}

bool LogsModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_cursor.isEmpty() && !m_loading;
}

void LogsModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_loading = true;
    const int generation = m_generation;
    m_api->getRows(target(m_cursor, {}), this, &LogsModel::parse, [this, generation](Page page) {
        if (generation == m_generation)
            appendPage(std::move(page));
    });
}

void LogsModel::pollNewest()
{
    if (m_loading || m_polling)
        return;
    m_polling = true;
    const int generation = m_generation;
    // From the newest row's time on (that row comes again and is skipped by id).
    const QDateTime after = m_rows.isEmpty() ? QDateTime() : m_rows.first().ts;
    m_api->getRows(target({}, after), this, &LogsModel::parse, [this, generation](Page page) {
        if (generation != m_generation)
            return;
        m_polling = false;
        if (page.status != 200)
            return;
        if (page.more) {
            // More new events than a page: the gap between would be invisible, so start over from the top.
            search(m_search);
            return;
        }
        QList<LogRow> rows = std::move(page.rows);
        rows.removeIf([this](const LogRow &r) { return m_ids.contains(r.id); });
        if (!rows.isEmpty()) {
            beginInsertRows({}, 0, int(rows.size()) - 1);
            for (const LogRow &r : rows)
                m_ids.insert(r.id);
            m_rows = rows + m_rows;
            endInsertRows();
        }
        emit pageLoaded();
    });
}

int LogsModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }
int LogsModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LogsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LogRow &r = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: return r.timeText;
        case Service: return r.service;
        case Level: return r.level;
        case Message: return r.message;
        default: return {};
        }
    case Qt::ForegroundRole: return index.column() == Level ? QVariant(StatePalette::level(r.level)) : QVariant();
    case Qt::FontRole:
        if (index.column() == Level) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ToolTipRole: {
        QStringList lines{r.message.toHtmlEscaped()};
        if (!r.endpoint.isEmpty())
            lines << tr("Request: %1 %2").arg(r.method, r.endpoint).toHtmlEscaped();
        if (r.statusCode)
            lines << tr("Status: %1").arg(r.statusCode);
        if (r.latencyMs >= 0)
            lines << tr("Latency: %1 ms").arg(QLocale().toString(r.latencyMs, 'f', 1));
        if (!r.traceId.isEmpty())
            lines << tr("Trace: %1").arg(r.traceId).toHtmlEscaped();
        return lines.join(QStringLiteral("<br>"));
    }
    default: return {};
    }
}

QVariant LogsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Time");
    case Service: return tr("Service");
    case Level: return tr("Level");
    case Message: return tr("Message");
    default: return {};
    }
}

} // namespace fg
