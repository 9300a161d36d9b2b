#pragma once

#include <QString>
#include <QJsonArray>
#include <QJsonObject>
#include <QUrlQuery>

#include <optional>

#include "ingest/httpmessage.h"
#include "store/storereader.h"

namespace fg {

// Query-string parsing shared by the list endpoints. Errors name the parameter.
struct ParamError {
    QString field;
    QString message;
};

class QueryParams final {
public:
    explicit QueryParams(const QByteArray &rawQuery);

    QString text(const QString &name) const;
    bool has(const QString &name) const { return m_query.hasQueryItem(name); }
    // from/to/range/limit/cursor. With none of from and range the window reaches back to the start
    // (newest first, so a plain GET shows the latest items whatever their event time).
    std::optional<ParamError> window(TimeWindow &w, TimeNs now, qint64 defaultRangeSeconds = 0) const;
    std::optional<ParamError> level(Level &out) const;
    std::optional<ParamError> step(TimeNs &out) const;
    // q, the text search: at most kMaxSearchChars (each stored message is scanned for it).
    std::optional<ParamError> search(std::string &out) const;

    static constexpr int kMaxSearchChars = 256;
    static constexpr std::int64_t kMaxRangeSeconds = 36'600LL * 86400; // a hundred years: far from int64 overflow
    static constexpr std::int64_t kMaxStepSeconds = 366LL * 86400;

private:
    QUrlQuery m_query;
};

QString encodeCursor(const Cursor &cursor);
// 400 with the error envelope naming the parameter.
HttpResponse paramError(const ParamError &e);
// {"items": [...], "next_cursor": "…" | null}
QJsonObject page(const QJsonArray &items, const std::optional<Cursor> &next);
std::optional<Cursor> decodeCursor(const QString &cursor);

} // namespace fg
