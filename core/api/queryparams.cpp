#include "queryparams.h"

#include "apierror.h"
#include "config/units.h"

namespace fg {

namespace {
constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;
} // namespace

QueryParams::QueryParams(const QByteArray &rawQuery)
{
    QByteArray q = rawQuery;
    q.replace('+', ' '); // form encoding; a literal plus arrives as %2B
    m_query.setQuery(QString::fromUtf8(q));
}

QString QueryParams::text(const QString &name) const
{
    return m_query.queryItemValue(name, QUrl::FullyDecoded).trimmed();
}

QString encodeCursor(const Cursor &cursor)
{
    const QByteArray raw = "c2:" + QByteArray::number(cursor.ts) + ':' + QByteArray::number(cursor.id);
    return QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::optional<Cursor> decodeCursor(const QString &text)
{
    const QList<QByteArray> parts =
        QByteArray::fromBase64(text.toLatin1(), QByteArray::Base64UrlEncoding).split(':');
    if (parts.size() != 3 || parts[0] != "c2")
        return std::nullopt;
    bool okTs = false, okId = false;
    const Cursor c{parts[1].toLongLong(&okTs), parts[2].toLongLong(&okId)};
    if (!okTs || !okId || c.id <= 0)
        return std::nullopt;
    return c;
}

std::optional<ParamError> QueryParams::window(TimeWindow &w, TimeNs now, qint64 defaultRangeSeconds) const
{
    w.to = now;
    if (has(QStringLiteral("to"))) {
        const auto t = parseTimeText(text(QStringLiteral("to")).toStdString());
        if (!t)
            return ParamError{QStringLiteral("to"), QStringLiteral("must be ISO 8601 or epoch time")};
        w.to = *t;
    }
    if (w.to < 0)
        return ParamError{QStringLiteral("to"), QStringLiteral("must not be before 1970")};
    w.from = defaultRangeSeconds > 0 ? w.to - defaultRangeSeconds * kNsPerSec : 0;
    if (has(QStringLiteral("range"))) {
        const auto s = parseDurationSeconds(text(QStringLiteral("range")).toStdString());
        if (!s || *s <= 0)
            return ParamError{QStringLiteral("range"), QStringLiteral("must be a duration such as 15m, 1h, 24h or 7d")};
        if (*s > kMaxRangeSeconds)
            return ParamError{QStringLiteral("range"), QStringLiteral("must be at most 36600d")};
        w.from = w.to - *s * kNsPerSec;
    }
    if (has(QStringLiteral("from"))) {
        const auto t = parseTimeText(text(QStringLiteral("from")).toStdString());
        if (!t)
            return ParamError{QStringLiteral("from"), QStringLiteral("must be ISO 8601 or epoch time")};
        w.from = *t;
    }
    if (w.from > w.to)
        return ParamError{QStringLiteral("from"), QStringLiteral("is after to")};
    w.limit = kDefaultLimit;
    if (has(QStringLiteral("limit"))) {
        bool ok = false;
        const int limit = text(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit < 1)
            return ParamError{QStringLiteral("limit"), QStringLiteral("must be a whole number from 1 to 1000")};
        w.limit = std::min(limit, kMaxLimit);
    }
    if (has(QStringLiteral("cursor")) && !text(QStringLiteral("cursor")).isEmpty()) {
        const auto c = decodeCursor(text(QStringLiteral("cursor")));
        if (!c)
            return ParamError{QStringLiteral("cursor"), QStringLiteral("is not a cursor returned by this API")};
        w.after = *c;
    }
    return std::nullopt;
}

std::optional<ParamError> QueryParams::level(Level &out) const
{
    out = Level::Unknown;
    const QString v = text(QStringLiteral("level"));
    if (v.isEmpty())
        return std::nullopt;
    const ParsedLevel p = parseLevel(v.toStdString());
    if (!p.exact)
        return ParamError{QStringLiteral("level"),
                          QStringLiteral("must be one of trace, debug, info, warn, error, fatal")};
    out = p.level;
    return std::nullopt;
}

std::optional<ParamError> QueryParams::step(TimeNs &out) const
{
    out = 0;
    const QString v = text(QStringLiteral("step"));
    if (v.isEmpty())
        return std::nullopt;
    const auto s = parseDurationSeconds(v.toStdString());
    if (!s || *s <= 0)
        return ParamError{QStringLiteral("step"), QStringLiteral("must be a duration such as 10s, 1m or 1h")};
    if (*s > kMaxStepSeconds)
        return ParamError{QStringLiteral("step"), QStringLiteral("must be at most 366d")};
    out = *s * kNsPerSec;
    return std::nullopt;
}

std::optional<ParamError> QueryParams::search(std::string &out) const
{
    const QString q = text(QStringLiteral("q"));
    if (q.size() > kMaxSearchChars)
        return ParamError{QStringLiteral("q"), QStringLiteral("must be at most %1 characters").arg(kMaxSearchChars)};
    out = q.toStdString();
    return std::nullopt;
}

HttpResponse paramError(const ParamError &e)
{
    return apiError(400, QStringLiteral("invalid query parameter '%1': %2").arg(e.field, e.message),
                    QJsonObject{{QStringLiteral("field"), e.field}});
}

QJsonObject page(const QJsonArray &items, const std::optional<Cursor> &next)
{
    return QJsonObject{{QStringLiteral("items"), items},
                       {QStringLiteral("next_cursor"), next ? QJsonValue(encodeCursor(*next)) : QJsonValue()}};
}

} // namespace fg
