#include "storereader.h"

#include <sqlite3.h>

#include <QString>

#include "schema.h"
#include "sqlitedb.h"

namespace fg {

namespace {

bool isAscii(std::string_view s)
{
    for (unsigned char c : s)
        if (c >= 0x80)
            return false;
    return true;
}

char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

// fg_icontains(haystack, needle): case-insensitive substring test. ASCII needles take a byte scan; others
// fall back to Unicode case folding through QString.
void icontains(sqlite3_context *ctx, int, sqlite3_value **argv)
{
    const auto *h = reinterpret_cast<const char *>(sqlite3_value_text(argv[0]));
    const auto *n = reinterpret_cast<const char *>(sqlite3_value_text(argv[1]));
    if (!h || !n) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    const std::string_view hay(h, std::size_t(sqlite3_value_bytes(argv[0])));
    const std::string_view needle(n, std::size_t(sqlite3_value_bytes(argv[1])));
    bool found;
    if (isAscii(needle)) {
        auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                              [](char a, char b) { return asciiLower(a) == asciiLower(b); });
        found = it != hay.end() || needle.empty();
    } else {
        found = QString::fromUtf8(hay.data(), qsizetype(hay.size()))
                    .contains(QString::fromUtf8(needle.data(), qsizetype(needle.size())), Qt::CaseInsensitive);
    }
    sqlite3_result_int(ctx, found ? 1 : 0);
}

std::int64_t lowId(TimeNs from) { return timeKeyFloor(std::max<TimeNs>(from, 0)); }
std::int64_t highId(const TimeWindow &w)
{
    const std::int64_t hi = timeKeyFloor(std::max<TimeNs>(w.to, 0)) | kSeqMask;
    return w.beforeId ? std::min(hi, *w.beforeId - 1) : hi;
}

std::string str(std::string_view v) { return std::string(v); }

} // namespace

StoreReader::StoreReader(const std::string &path)
    : m_db(std::make_unique<SqliteDb>(path, SqliteDb::Mode::ReadOnly))
{
    sqlite3_create_function_v2(m_db->handle(), "fg_icontains", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                               &icontains, nullptr, nullptr, nullptr);
}

StoreReader::~StoreReader() = default;

bool StoreReader::ping()
{
    try {
        return m_db->queryInt("SELECT count(*) FROM sqlite_schema") > 0;
    } catch (const SqliteError &) {
        return false;
    }
}

std::optional<std::int64_t> StoreReader::serviceId(const std::string &name)
{
    Statement st(m_db->handle(), "SELECT id FROM services WHERE name=?");
    st.bind(1, std::string_view(name));
    if (st.step())
        return st.int64(0);
    return std::nullopt;
}

std::vector<ServiceInfo> StoreReader::services()
{
    Statement st(m_db->handle(),
                 "SELECT name, first_seen, last_seen, log_count, metric_count FROM services ORDER BY name");
    std::vector<ServiceInfo> out;
    while (st.step())
        out.push_back({str(st.text(0)), st.int64(1), st.int64(2), st.int64(3), st.int64(4)});
    return out;
}

Page<StoredLog> StoreReader::logs(const LogQuery &q)
{
    Page<StoredLog> page;
    std::optional<std::int64_t> sid;
    if (!q.service.empty() && !(sid = serviceId(q.service)))
        return page;
    std::string sql = "SELECT id, ts, received, (SELECT name FROM services WHERE id=l.service_id), level, level_raw,"
                      " message, latency_ms, status_code, endpoint, method, trace_id, span_id, signal_id, attributes"
                      " FROM logs l WHERE id BETWEEN ?1 AND ?2";
    if (sid)
        sql += " AND service_id = ?3";
    if (q.minLevel != Level::Unknown)
        sql += " AND level >= ?4";
    if (!q.contains.empty())
        sql += " AND fg_icontains(message, ?5)";
    sql += " ORDER BY id DESC LIMIT ?6";
    Statement st(m_db->handle(), sql);
    st.bind(1, lowId(q.window.from)).bind(2, highId(q.window));
    if (sid)
        st.bind(3, *sid);
    if (q.minLevel != Level::Unknown)
        st.bind(4, int(q.minLevel));
    if (!q.contains.empty())
        st.bind(5, std::string_view(q.contains));
    st.bind(6, q.window.limit + 1);
    while (st.step()) {
        if (int(page.items.size()) == q.window.limit) {
            page.nextCursor = page.items.back().id;
            break;
        }
        StoredLog row;
        row.id = st.int64(0);
        LogRecord &r = row.record;
        r.ts = st.int64(1);
        r.received = st.int64(2);
        r.service = str(st.text(3));
        r.level = Level(st.int64(4));
        r.levelRaw = str(st.text(5));
        r.message = str(st.text(6));
        r.latencyMs = st.isNull(7) ? NAN : st.real(7);
        r.statusCode = int(st.int64(8));
        r.endpoint = str(st.text(9));
        r.method = str(st.text(10));
        r.traceId = str(st.text(11));
        r.spanId = str(st.text(12));
        r.signalId = str(st.text(13));
        r.attributes = str(st.text(14));
        page.items.push_back(std::move(row));
    }
    return page;
}

Page<StoredPoint> StoreReader::metricPoints(const MetricQuery &q)
{
    Page<StoredPoint> page;
    std::string sql = "SELECT p.id, s.name, s.type, s.tags, p.value, p.signal_id,"
                      " (SELECT name FROM services WHERE id=s.service_id)"
                      " FROM metric_points p JOIN metric_series s ON s.id = p.series_id"
                      " WHERE p.id BETWEEN ?1 AND ?2";
    std::optional<std::int64_t> sid;
    if (!q.service.empty()) {
        if (!(sid = serviceId(q.service)))
            return page;
        sql += " AND s.service_id = ?3";
    }
    if (!q.name.empty())
        sql += " AND s.name = ?4";
    sql += " ORDER BY p.id DESC LIMIT ?5";
    Statement st(m_db->handle(), sql);
    st.bind(1, lowId(q.window.from)).bind(2, highId(q.window));
    if (sid)
        st.bind(3, *sid);
    if (!q.name.empty())
        st.bind(4, std::string_view(q.name));
    st.bind(5, q.window.limit + 1);
    while (st.step()) {
        if (int(page.items.size()) == q.window.limit) {
            page.nextCursor = page.items.back().id;
            break;
        }
        StoredPoint p;
        p.id = st.int64(0);
        p.sample.ts = timeKeyToNs(p.id);
        p.sample.name = str(st.text(1));
        p.sample.type = MetricType(st.int64(2));
        p.sample.tags = str(st.text(3));
        p.sample.value = st.real(4);
        p.sample.signalId = str(st.text(5));
        p.sample.service = str(st.text(6));
        page.items.push_back(std::move(p));
    }
    return page;
}

std::vector<MetricBucket> StoreReader::metricBuckets(const MetricQuery &q, TimeNs stepNs, int maxBuckets)
{
    std::vector<MetricBucket> out;
    const std::int64_t stepMs = std::max<std::int64_t>(1, stepNs / kNsPerMs);
    std::string sql = "SELECT s.id, s.name, s.type, s.tags, (SELECT name FROM services WHERE id=s.service_id),"
                      " (p.id >> 20) / ?3 AS b, avg(p.value), min(p.value), max(p.value), sum(p.value), count(*)"
                      " FROM metric_points p JOIN metric_series s ON s.id = p.series_id"
                      " WHERE p.id BETWEEN ?1 AND ?2";
    std::optional<std::int64_t> sid;
    if (!q.service.empty()) {
        if (!(sid = serviceId(q.service)))
            return out;
        sql += " AND s.service_id = ?4";
    }
    if (!q.name.empty())
        sql += " AND s.name = ?5";
    sql += " GROUP BY s.id, b ORDER BY s.id, b LIMIT ?6";
    Statement st(m_db->handle(), sql);
    st.bind(1, lowId(q.window.from)).bind(2, highId(q.window)).bind(3, stepMs);
    if (sid)
        st.bind(4, *sid);
    if (!q.name.empty())
        st.bind(5, std::string_view(q.name));
    st.bind(6, maxBuckets);
    while (st.step()) {
        MetricBucket b;
        b.name = str(st.text(1));
        b.type = MetricType(st.int64(2));
        b.tags = str(st.text(3));
        b.service = str(st.text(4));
        b.start = st.int64(5) * stepMs * kNsPerMs;
        b.avg = st.real(6);
        b.min = st.real(7);
        b.max = st.real(8);
        b.sum = st.real(9);
        b.count = st.int64(10);
        out.push_back(std::move(b));
    }
    return out;
}

} // namespace fg
