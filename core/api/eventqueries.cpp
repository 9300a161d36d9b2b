#include "eventqueries.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <map>

#include "apierror.h"
#include "ingest/eventdecoder.h"
#include "ingest/httpresponder.h"
#include "queryparams.h"
#include "queryrunner.h"
#include "store/storereader.h"

namespace fg {

namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr int kScanPage = 2000;
constexpr TimeNs kDefaultRange = 24 * 3600 * kNsPerSec;

HttpResponse refused(int status, const QString &field, const QString &message)
{
    return jsonResponse(status, QJsonObject{{QStringLiteral("success"), false},
                                            {QStringLiteral("error"), QLatin1String(errorKind(status))},
                                            {QStringLiteral("message"), QStringLiteral("%1 %2").arg(field, message)},
                                            {QStringLiteral("data"), QJsonValue()},
                                            {QStringLiteral("details"), QJsonObject{{QStringLiteral("field"), field}}}});
}

HttpResponse answered(const QString &message, const QJsonValue &data)
{
    return jsonResponse(200, QJsonObject{{QStringLiteral("success"), true},
                                         {QStringLiteral("message"), message},
                                         {QStringLiteral("data"), data}});
}

QJsonValue iso(TimeNs t) { return QString::fromStdString(formatIsoMs(t)); }

// The stored event attribute, or an empty object when the row is not an event.
QJsonObject storedEvent(const LogRecord &r)
{
    if (r.attributes.empty())
        return {};
    return QJsonDocument::fromJson(QByteArray::fromStdString(r.attributes))
        .object()
        .value(QLatin1String(EventDecoder::kEventAttribute))
        .toObject();
}

// The event as it was sent, from its log record; empty when the row is not an event.
QJsonObject eventJson(const StoredLog &row)
{
    const LogRecord &r = row.record;
    const QJsonObject e = storedEvent(r);
    if (!e.contains(QStringLiteral("type")))
        return {};
    QJsonObject out = e.value(QStringLiteral("extra")).toObject();
    out.insert(QStringLiteral("event_id"), QString::fromStdString(r.signalId));
    out.insert(QStringLiteral("type"), e.value(QStringLiteral("type")));
    out.insert(QStringLiteral("source"), QString::fromStdString(r.service));
    out.insert(QStringLiteral("severity"), QString::fromStdString(r.levelRaw));
    out.insert(QStringLiteral("timestamp"), iso(r.ts));
    out.insert(QStringLiteral("received_at"), iso(r.received));
    out.insert(QStringLiteral("data"), e.value(QStringLiteral("data")).toObject());
    for (const char *key : {"correlation_id", "session_id", "user_id"})
        out.insert(QLatin1String(key), e.value(QLatin1String(key)).isString() ? e.value(QLatin1String(key)) : QJsonValue());
    out.insert(QStringLiteral("tags"), e.value(QStringLiteral("tags")).toArray());
    out.insert(QStringLiteral("level"), QString::fromLatin1(levelName(r.level).data(), qsizetype(levelName(r.level).size())));
    out.insert(QStringLiteral("log_id"), QString::number(row.id));
    return out;
}

struct Range {
    TimeNs from = 0;
    TimeNs to = 0;
};

std::optional<HttpResponse> parseRange(const QueryParams &params, Range &range)
{
    auto time = [&](const char *name, TimeNs fallback, TimeNs &out) -> bool {
        const QString text = params.text(QLatin1String(name));
        if (text.isEmpty()) {
            out = fallback;
            return true;
        }
        const auto t = parseTimeText(text.toStdString());
        if (!t)
            return false;
        out = *t;
        return true;
    };
    if (!time("end", nowNs(), range.to))
        return refused(400, QStringLiteral("end"), QStringLiteral("must be ISO 8601 or epoch time"));
    if (!time("start", range.to - kDefaultRange, range.from))
        return refused(400, QStringLiteral("start"), QStringLiteral("must be ISO 8601 or epoch time"));
    if (range.from > range.to)
        return refused(400, QStringLiteral("start"), QStringLiteral("is after end"));
    return std::nullopt;
}

std::optional<HttpResponse> parseCount(const QueryParams &params, const char *name, int fallback, int max, int &out)
{
    out = fallback;
    if (!params.has(QLatin1String(name)))
        return std::nullopt;
    bool ok = false;
    out = params.text(QLatin1String(name)).toInt(&ok);
    if (!ok || out < 1 || out > max)
        return refused(400, QLatin1String(name), QStringLiteral("must be a whole number from 1 to %1").arg(max));
    return std::nullopt;
}

// Visits the events of the range newest first (the tag's filters keep other logs' chunks closed); false
// once kMaxScannedEvents were visited and more remain.
template <typename Visit>
bool scanEvents(StoreReader &reader, const Range &range, Visit &&visit)
{
    LogQuery q;
    q.window = {range.from, range.to, std::nullopt, kScanPage};
    q.tag = EventDecoder::kEventTag;
    int seen = 0;
    for (;;) {
        Page<StoredLog> page = reader.logs(q);
        for (const StoredLog &row : page.items) {
            if (seen == kMaxScannedEvents)
                return false;
            ++seen;
            visit(row);
        }
        if (!page.nextCursor)
            return true;
        q.window.after = page.nextCursor;
    }
}

QJsonValue rangeJson(const Range &r, const char *which) { return iso(std::string_view(which) == "start" ? r.from : r.to); }

} // namespace

void eventById(const HttpRequest &request, QueryRunner *queries, const HttpResponder &responder)
{
    const std::string id =
        QByteArray::fromPercentEncoding(request.path.mid(request.path.lastIndexOf('/') + 1)).toStdString();
    queries->run(
        [id](StoreReader &reader) {
            const std::optional<StoredLog> row = reader.logBySignal(id);
            const QJsonObject event = row ? eventJson(*row) : QJsonObject();
            if (event.isEmpty())
                return refused(404, QStringLiteral("event_id"), QStringLiteral("%1 is not a stored event").arg(QString::fromStdString(id)));
            return answered(QStringLiteral("event found"), event);
        },
        responder);
}

void eventList(const HttpRequest &request, QueryRunner *queries, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    Range range;
    if (auto e = parseRange(params, range))
        return responder.send(*e);
    int page = 1, limit = kDefaultPageSize;
    if (auto e = parseCount(params, "page", 1, 1'000'000, page))
        return responder.send(*e);
    if (auto e = parseCount(params, "limit", kDefaultPageSize, kMaxPageSize, limit))
        return responder.send(*e);
    const QString type = params.text(QStringLiteral("type"));
    queries->run(
        [range, page, limit, type](StoreReader &reader) {
            const qint64 first = qint64(page - 1) * limit;
            qint64 total = 0;
            QJsonArray events;
            const bool complete = scanEvents(reader, range, [&](const StoredLog &row) {
                // The message starts with the type: most other types are skipped without parsing attributes.
                if (!type.isEmpty() && !QString::fromStdString(row.record.message).startsWith(type))
                    return;
                const bool onPage = total >= first && total < first + limit;
                if (!type.isEmpty() || onPage) {
                    const QJsonObject e = eventJson(row);
                    if (e.isEmpty() || (!type.isEmpty() && e.value(QStringLiteral("type")).toString() != type))
                        return;
                    if (onPage)
                        events.append(e);
                }
                ++total;
            });
            const qint64 pages = (total + limit - 1) / limit;
            return answered(QStringLiteral("%1 events").arg(total),
                            QJsonObject{{QStringLiteral("events"), events},
                                        {QStringLiteral("page"), page},
                                        {QStringLiteral("page_size"), limit},
                                        {QStringLiteral("total"), total},
                                        {QStringLiteral("pages"), pages},
                                        {QStringLiteral("has_next"), page < pages},
                                        {QStringLiteral("has_prev"), page > 1},
                                        {QStringLiteral("start"), rangeJson(range, "start")},
                                        {QStringLiteral("end"), rangeJson(range, "end")},
                                        {QStringLiteral("truncated"), !complete}});
        },
        responder);
}

void eventAggregations(const HttpRequest &request, QueryRunner *queries, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    Range range;
    if (auto e = parseRange(params, range))
        return responder.send(*e);
    const QString metric = params.has(QStringLiteral("metric")) ? params.text(QStringLiteral("metric")) : QStringLiteral("count");
    if (metric != QLatin1String("count"))
        return responder.send(refused(400, QStringLiteral("metric"), QStringLiteral("must be count")));
    const QString groupBy = params.has(QStringLiteral("group_by")) ? params.text(QStringLiteral("group_by")) : QStringLiteral("type");
    if (groupBy != QLatin1String("type") && groupBy != QLatin1String("source") && groupBy != QLatin1String("severity"))
        return responder.send(refused(400, QStringLiteral("group_by"), QStringLiteral("must be type, source or severity")));
    queries->run(
        [range, groupBy](StoreReader &reader) {
            std::map<QString, qint64> counts;
            qint64 total = 0;
            const bool complete = scanEvents(reader, range, [&](const StoredLog &row) {
                QString key;
                if (groupBy == QLatin1String("type")) {
                    const QJsonObject e = storedEvent(row.record);
                    if (!e.contains(QStringLiteral("type")))
                        return;
                    key = e.value(QStringLiteral("type")).toString();
                } else {
                    key = QString::fromStdString(groupBy == QLatin1String("source") ? row.record.service : row.record.levelRaw);
                }
                ++counts[key];
                ++total;
            });
            std::vector<std::pair<QString, qint64>> sorted(counts.begin(), counts.end());
            std::stable_sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
            QJsonArray buckets;
            for (const auto &[key, count] : sorted)
                buckets.append(QJsonObject{{QStringLiteral("key"), key}, {QStringLiteral("count"), count}});
            return answered(QStringLiteral("%1 events in %2 groups").arg(total).arg(qint64(sorted.size())),
                            QJsonObject{{QStringLiteral("metric"), QStringLiteral("count")},
                                        {QStringLiteral("group_by"), groupBy},
                                        {QStringLiteral("buckets"), buckets},
                                        {QStringLiteral("total"), total},
                                        {QStringLiteral("start"), rangeJson(range, "start")},
                                        {QStringLiteral("end"), rangeJson(range, "end")},
                                        {QStringLiteral("truncated"), !complete}});
        },
        responder);
}

} // namespace fg
