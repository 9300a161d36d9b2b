#include "sqlitestorereader.h"

#include <sqlite3.h>

#include <algorithm>

#include <QString>

#include "logchunkreader.h"
#include "metricchunks.h"
#include "sqlitedb.h"

namespace fg {

namespace {

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
    sqlite3_result_int(ctx, containsIgnoringCase(hay, needle) ? 1 : 0);
}

// Pulls the newest rows from several statements that each return rows newest first, with event time in
// column 0 and arrival id in column 1 (one statement per service or series, each served by its index),
// and hands the overall newest `limit` of them to take(), in order. take() returns false when the page is
// full for another reason (its size in bytes): the page then ends after that row.
template <typename Take>
std::optional<Cursor> mergeNewestFirst(std::vector<std::unique_ptr<Statement>> &sources, int limit, Take take)
{
    std::vector<Statement *> live;
    for (auto &s : sources)
        if (s->step())
            live.push_back(s.get());
    auto newer = [](Statement *a, Statement *b) {
        return a->int64(0) != b->int64(0) ? a->int64(0) > b->int64(0) : a->int64(1) > b->int64(1);
    };
    int taken = 0;
    Cursor last;
    while (!live.empty()) {
        auto best = std::min_element(live.begin(), live.end(), newer);
        if (taken == limit)
            return last; // more rows remain: the page ends here
        Statement *s = *best;
        last = {s->int64(0), s->int64(1)};
        const bool more = take(*s);
        ++taken;
        if (!s->step())
            live.erase(best);
        else if (!more)
            return last;
    }
    return std::nullopt;
}

// One read transaction around a query that reads staged rows and chunks: the writer may seal rows into a
// chunk between two statements, and the query must see them once, either way.
class ReadSnapshot {
public:
    explicit ReadSnapshot(SqliteDb &db) : m_db(db) { m_db.exec("BEGIN"); }
    ~ReadSnapshot() { sqlite3_exec(m_db.handle(), "COMMIT", nullptr, nullptr, nullptr); }
    ReadSnapshot(const ReadSnapshot &) = delete;
    ReadSnapshot &operator=(const ReadSnapshot &) = delete;

private:
    SqliteDb &m_db;
};

// "(ts, id) < cursor" and the window bounds, for statements over an index on (key, ts).
std::string windowSql(const TimeWindow &w, const std::string &t)
{
    std::string sql = " " + t + ".ts BETWEEN ?2 AND ?3";
    if (w.after)
        sql += " AND (" + t + ".ts < ?4 OR (" + t + ".ts = ?4 AND " + t + ".id < ?5))";
    return sql;
}

void bindWindow(Statement &st, const TimeWindow &w)
{
    st.bind(2, w.from).bind(3, w.to);
    if (w.after)
        st.bind(4, w.after->ts).bind(5, w.after->id);
}

std::string str(std::string_view v) { return std::string(v); }

// Up to this many series are read one statement each and merged; more take the event-time index.
constexpr std::size_t kMaxMergedSeries = 16;

// A log row as logRow() reads it (alias l).
constexpr const char *kLogColumns = "ts, id, received, (SELECT name FROM services WHERE id=l.service_id), level, level_raw,"
                                    " message, latency_ms, status_code, endpoint, method, trace_id, span_id, signal_id,"
                                    " attributes, tags";

StoredLog logRow(const Statement &st)
{
    StoredLog row;
    row.id = st.int64(1);
    LogRecord &r = row.record;
    r.ts = st.int64(0);
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
    r.tags = str(st.text(15));
    return row;
}

// ts, id, name, type, tags, value, signal_id, service.
StoredPoint pointRow(const Statement &st)
{
    StoredPoint p;
    p.id = st.int64(1);
    p.sample.ts = st.int64(0);
    p.sample.name = str(st.text(2));
    p.sample.type = MetricType(st.int64(3));
    p.sample.tags = str(st.text(4));
    p.sample.value = st.real(5);
    p.sample.signalId = str(st.text(6));
    p.sample.service = str(st.text(7));
    return p;
}

} // namespace

SqliteStoreReader::SqliteStoreReader(const std::string &path)
    : m_db(std::make_unique<SqliteDb>(path, SqliteDb::Mode::ReadOnly))
{
    sqlite3_create_function_v2(m_db->handle(), "fg_icontains", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                               &icontains, nullptr, nullptr, nullptr);
}

SqliteStoreReader::~SqliteStoreReader() = default;

int SqliteStoreReader::onProgress(void *reader)
{
    return static_cast<SqliteStoreReader *>(reader)->m_shouldStop() ? 1 : 0;
}

std::function<void()> SqliteStoreReader::interruptCheck() const
{
    if (!m_shouldStop)
        return {};
    return [this] {
        if (m_shouldStop())
            throw QueryInterrupted();
    };
}

void SqliteStoreReader::setInterrupt(std::function<bool()> shouldStop)
{
    m_shouldStop = std::move(shouldStop);
    // Every few thousand virtual-machine steps: a few microseconds apart, a negligible cost.
    sqlite3_progress_handler(m_db->handle(), m_shouldStop ? 4000 : 0, m_shouldStop ? &onProgress : nullptr, this);
}

std::optional<std::int64_t> SqliteStoreReader::serviceId(const std::string &name)
{
    Statement st(m_db->handle(), "SELECT id FROM services WHERE name=?");
    st.bind(1, std::string_view(name));
    if (st.step())
        return st.int64(0);
    return std::nullopt;
}

std::vector<ServiceInfo> SqliteStoreReader::services()
{
    Statement st(m_db->handle(),
                 "SELECT s.name, s.first_seen, s.last_seen, s.log_count, s.metric_count, s.last_received, r.doc FROM services s"
                 " LEFT JOIN service_registrations r ON r.name = s.name ORDER BY s.name");
    std::vector<ServiceInfo> out;
    while (st.step())
        out.push_back({str(st.text(0)), st.int64(1), st.int64(2), st.int64(3), st.int64(4), st.int64(5), str(st.text(6))});
    return out;
}

std::optional<StoredLog> SqliteStoreReader::logBySignal(const std::string &signalId)
{
    ReadSnapshot snapshot(*m_db);
    std::int64_t id = 0;
    {
        Statement key(m_db->handle(), "SELECT row_id FROM signal_ids WHERE key=?");
        key.bindText(1, "l:" + signalId);
        if (!key.step())
            return std::nullopt;
        id = key.int64(0);
    }
    Statement staged(m_db->handle(), std::string("SELECT ") + kLogColumns + " FROM logs l WHERE id=?");
    staged.bind(1, id);
    if (staged.step())
        return logRow(staged);
    return LogChunkReader(m_db->handle(), interruptCheck()).byId(id);
}


Page<StoredLog> SqliteStoreReader::logs(const LogQuery &q)
{
    Page<StoredLog> page;
    ReadSnapshot snapshot(*m_db);
    std::optional<std::int64_t> sid;
    if (!q.service.empty() && !(sid = serviceId(q.service)))
        return page;
    // Staged rows (not yet sealed into a chunk) first: one statement either way, (service, ts) with a service,
    // the event-time index without one; both give rows newest first with the arrival id breaking ties.
    std::string sql = std::string("SELECT ") + kLogColumns + " FROM logs l WHERE";
    sql += sid ? " l.service_id = ?1 AND" : "";
    sql += windowSql(q.window, "l");
    if (q.minLevel != Level::Unknown)
        sql += " AND level >= ?6";
    if (!q.contains.empty())
        sql += " AND fg_icontains(message, ?7)";
    if (!q.tag.empty())
        sql += " AND instr(tags, ?9) > 0";
    if (!q.traceId.empty())
        sql += " AND trace_id = ?10";
    sql += " ORDER BY ts DESC, id DESC LIMIT ?8";
    auto st = std::make_unique<Statement>(m_db->handle(), sql);
    if (sid)
        st->bind(1, *sid);
    bindWindow(*st, q.window);
    if (q.minLevel != Level::Unknown)
        st->bind(6, int(q.minLevel));
    if (!q.contains.empty())
        st->bind(7, std::string_view(q.contains));
    st->bind(8, q.window.limit + 1);
    if (!q.tag.empty())
        st->bindText(9, "," + q.tag + ",");
    if (!q.traceId.empty())
        st->bind(10, std::string_view(q.traceId));
    std::vector<LogChunkReader::Hit> hits;
    while (st->step()) {
        StoredLog row = logRow(*st);
        hits.push_back({row.record.ts, row.id, 0, 0, std::move(row)});
    }
    st.reset();
    // Then the chunks, keeping the newest limit + 1 of both: one more than the page tells whether more remain.
    const std::size_t limit = std::size_t(std::max(q.window.limit, 0));
    LogChunkReader chunks(m_db->handle(), interruptCheck());
    chunks.newest(q, sid, limit + 1, hits);
    const bool more = hits.size() > limit;
    hits.resize(std::min(hits.size(), limit));
    chunks.materialize(hits);
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < hits.size(); ++i) {
        page.items.push_back(std::move(hits[i].row));
        const LogRecord &r = page.items.back().record;
        bytes += r.message.size() + r.attributes.size() + 256;
        if (bytes >= q.maxBytes && (more || i + 1 < hits.size())) {
            page.nextCursor = Cursor{r.ts, page.items.back().id};
            return page;
        }
    }
    if (more && !page.items.empty())
        page.nextCursor = Cursor{page.items.back().record.ts, page.items.back().id};
    return page;
}

std::vector<StoredLog> SqliteStoreReader::logsInCommitOrder(std::int64_t afterId, std::int64_t throughId, int limit)
{
    ReadSnapshot snapshot(*m_db);
    Statement st(m_db->handle(), std::string("SELECT ") + kLogColumns + " FROM logs l WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?3");
    st.bind(1, afterId).bind(2, throughId).bind(3, limit);
    std::vector<StoredLog> out = LogChunkReader(m_db->handle(), interruptCheck()).inCommitOrder(afterId, throughId, limit);
    while (st.step())
        out.push_back(logRow(st));
    st.reset();
    std::sort(out.begin(), out.end(), [](const StoredLog &a, const StoredLog &b) { return a.id < b.id; });
    if (out.size() > std::size_t(std::max(limit, 0)))
        out.resize(std::size_t(std::max(limit, 0)));
    return out;
}

std::vector<StoredPoint> SqliteStoreReader::pointsInCommitOrder(std::int64_t afterId, std::int64_t throughId, int limit)
{
    ReadSnapshot snapshot(*m_db);
    // Rows of a database from before version 13, then chunks.
    Statement st(m_db->handle(), "SELECT p.ts, p.id, s.name, s.type, s.tags, p.value, p.signal_id,"
                                 " (SELECT name FROM services WHERE id=s.service_id), p.received"
                                 " FROM metric_points p JOIN metric_series s ON s.id = p.series_id"
                                 " WHERE p.id > ?1 AND p.id <= ?2 ORDER BY p.id LIMIT ?3");
    st.bind(1, afterId).bind(2, throughId).bind(3, limit);
    std::vector<StoredPoint> out = MetricChunkReader(m_db->handle(), interruptCheck()).inCommitOrder(afterId, throughId, limit);
    while (st.step()) {
        StoredPoint p = pointRow(st);
        p.sample.received = st.int64(8);
        out.push_back(std::move(p));
    }
    std::sort(out.begin(), out.end(), [](const StoredPoint &a, const StoredPoint &b) { return a.id < b.id; });
    if (out.size() > std::size_t(std::max(limit, 0)))
        out.resize(std::size_t(std::max(limit, 0)));
    return out;
}

std::vector<std::int64_t> SqliteStoreReader::seriesIds(const MetricQuery &q)
{
    std::string sql = "SELECT id FROM metric_series WHERE 1";
    std::optional<std::int64_t> sid;
    if (!q.service.empty()) {
        if (!(sid = serviceId(q.service)))
            return {};
        sql += " AND service_id = ?1";
    }
    if (!q.name.empty())
        sql += " AND name = ?2";
    Statement st(m_db->handle(), sql + " ORDER BY id");
    if (sid)
        st.bind(1, *sid);
    if (!q.name.empty())
        st.bind(2, std::string_view(q.name));
    std::vector<std::int64_t> ids;
    while (st.step())
        ids.push_back(st.int64(0));
    return ids;
}

Page<StoredPoint> SqliteStoreReader::metricPoints(const MetricQuery &q)
{
    Page<StoredPoint> page;
    ReadSnapshot snapshot(*m_db);
    std::optional<std::int64_t> sid;
    if (!q.service.empty() && !(sid = serviceId(q.service)))
        return page;
    const std::vector<std::int64_t> series = seriesIds(q);
    MetricChunkReader::SeriesFilter filter;
    if (!q.name.empty()) {
        if (series.empty())
            return page;
        filter.all = false;
        for (std::int64_t id : series) {
            filter.ids.insert(id);
            filter.mask |= metricSeriesBit(id);
        }
    }
    // Rows of a database from before version 13 (each series through its index, or the event-time index
    // for many), then chunks; one more than the page tells whether more remain.
    const std::string sql = "SELECT p.ts, p.id, s.name, s.type, s.tags, p.value, p.signal_id,"
                            " (SELECT name FROM services WHERE id=s.service_id)"
                            " FROM metric_points p JOIN metric_series s ON s.id = p.series_id"
                            " WHERE p.series_id = ?1 AND" + windowSql(q.window, "p") + " ORDER BY p.ts DESC, p.id DESC LIMIT ?8";
    std::vector<std::unique_ptr<Statement>> sources;
    if (series.size() <= kMaxMergedSeries) {
        for (std::int64_t id : series) {
            auto st = std::make_unique<Statement>(m_db->handle(), sql);
            st->bind(1, id);
            bindWindow(*st, q.window);
            st->bind(8, q.window.limit + 1);
            sources.push_back(std::move(st));
        }
    } else {
        // Many series: one walk down the event-time index, filtered, whatever their number.
        std::string all = "SELECT p.ts, p.id, s.name, s.type, s.tags, p.value, p.signal_id,"
                          " (SELECT name FROM services WHERE id=s.service_id)"
                          " FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE"
                          + windowSql(q.window, "p");
        if (sid)
            all += " AND s.service_id = ?1";
        if (!q.name.empty())
            all += " AND s.name = ?6";
        auto st = std::make_unique<Statement>(m_db->handle(), all + " ORDER BY p.ts DESC, p.id DESC LIMIT ?8");
        if (sid)
            st->bind(1, *sid);
        bindWindow(*st, q.window);
        if (!q.name.empty())
            st->bind(6, std::string_view(q.name));
        st->bind(8, q.window.limit + 1);
        sources.push_back(std::move(st));
    }
    const std::size_t limit = std::size_t(std::max(q.window.limit, 0));
    std::vector<StoredPoint> points;
    mergeNewestFirst(sources, int(limit + 1), [&](Statement &st) {
        points.push_back(pointRow(st));
        return true;
    });
    MetricChunkReader(m_db->handle(), interruptCheck()).newest(q.window, sid, filter, limit + 1, points);
    const bool more = points.size() > limit;
    points.resize(std::min(points.size(), limit));
    page.items = std::move(points);
    if (more && !page.items.empty())
        page.nextCursor = Cursor{page.items.back().sample.ts, page.items.back().id};
    return page;
}

std::vector<MetricBucket> SqliteStoreReader::metricBuckets(const MetricQuery &q, TimeNs stepNs, int maxBuckets)
{
    std::vector<MetricBucket> out;
    ReadSnapshot snapshot(*m_db);
    const TimeNs step = std::max<TimeNs>(kNsPerMs, stepNs);
    std::optional<std::int64_t> sid;
    if (!q.service.empty() && !(sid = serviceId(q.service)))
        return out;
    const std::vector<std::int64_t> series = seriesIds(q);
    if (series.empty() || maxBuckets <= 0)
        return out;
    MetricChunkReader::SeriesFilter filter;
    if (!q.name.empty()) {
        filter.all = false;
        for (std::int64_t id : series) {
            filter.ids.insert(id);
            filter.mask |= metricSeriesBit(id);
        }
    }
    // Series by id, each one's buckets in time order, the first maxBuckets of them: chunks and the rows of a
    // database from before version 13 add up in one map.
    MetricChunkReader chunks(m_db->handle(), interruptCheck());
    MetricChunkReader::Buckets buckets;
    chunks.buckets(q.window.from, q.window.to, step, sid, filter, std::size_t(maxBuckets), buckets);
    Statement st(m_db->handle(), "SELECT p.ts / ?4 AS b, sum(p.value), min(p.value), max(p.value), count(*)"
                                 " FROM metric_points p WHERE p.series_id = ?1 AND p.ts BETWEEN ?2 AND ?3 GROUP BY b ORDER BY b");
    for (std::int64_t id : series) {
        st.bind(1, id).bind(2, q.window.from).bind(3, q.window.to).bind(4, step);
        while (st.step())
            buckets[{id, st.int64(0)}].merge(st.real(1), st.real(2), st.real(3), st.int64(4));
        st.reset();
        while (buckets.size() > std::size_t(maxBuckets))
            buckets.erase(std::prev(buckets.end()));
    }
    for (const auto &[key, a] : buckets) {
        MetricBucket b;
        MetricSample described;
        chunks.describe(key.first, described);
        b.name = std::move(described.name);
        b.type = described.type;
        b.tags = std::move(described.tags);
        b.service = std::move(described.service);
        b.start = key.second * step;
        b.avg = a.sum / double(a.count);
        b.min = a.min;
        b.max = a.max;
        b.sum = a.sum;
        b.count = a.count;
        out.push_back(std::move(b));
    }
    return out;
}

std::vector<KpiRollup> SqliteStoreReader::kpiRollups(const std::string &service, const std::string &endpoint,
                                                     TimeNs from, TimeNs to)
{
    std::vector<KpiRollup> out;
    const auto sid = serviceId(service);
    if (!sid)
        return out;
    Statement st(m_db->handle(), "SELECT start, events, error_events, requests, request_errors, latency FROM kpi_rollups"
                                 " WHERE service_id=? AND endpoint=? AND start BETWEEN ? AND ? ORDER BY start");
    st.bind(1, *sid).bindText(2, endpoint).bind(3, from).bind(4, to);
    while (st.step()) {
        KpiRollup k;
        k.service = service;
        k.endpoint = endpoint;
        k.start = st.int64(0);
        k.events = std::uint64_t(st.int64(1));
        k.errorEvents = std::uint64_t(st.int64(2));
        k.requests = std::uint64_t(st.int64(3));
        k.requestErrors = std::uint64_t(st.int64(4));
        k.latency = DDSketch::fromBytes(st.text(5));
        out.push_back(std::move(k));
    }
    return out;
}

Page<StoredAnomaly> SqliteStoreReader::anomalies(const std::string &service, const TimeWindow &w)
{
    Page<StoredAnomaly> page;
    std::optional<std::int64_t> sid;
    if (!service.empty() && !(sid = serviceId(service)))
        return page;
    std::string sql = "SELECT a.id, s.name, a.endpoint, a.kind, a.started_at, coalesce(a.ended_at, 0), a.updated_at,"
                      " a.score, a.signals, a.explanation, a.recommendation, a.metric FROM anomalies a JOIN services s"
                      " ON s.id = a.service_id WHERE a.started_at <= ?2 AND (a.ended_at IS NULL OR a.ended_at >= ?1)";
    if (sid)
        sql += " AND a.service_id = ?3";
    if (w.after)
        sql += " AND (a.started_at < ?4 OR (a.started_at = ?4 AND a.id < ?5))";
    sql += " ORDER BY a.started_at DESC, a.id DESC LIMIT ?6";
    Statement st(m_db->handle(), sql);
    st.bind(1, w.from).bind(2, w.to);
    if (sid)
        st.bind(3, *sid);
    if (w.after)
        st.bind(4, w.after->ts).bind(5, w.after->id);
    st.bind(6, w.limit + 1);
    while (st.step()) {
        if (int(page.items.size()) == w.limit) {
            page.nextCursor = Cursor{page.items.back().anomaly.startedAt, page.items.back().id};
            break;
        }
        StoredAnomaly a;
        a.id = st.int64(0);
        a.anomaly.service = str(st.text(1));
        a.anomaly.endpoint = str(st.text(2));
        a.anomaly.kind = str(st.text(3));
        a.anomaly.startedAt = st.int64(4);
        a.anomaly.endedAt = st.int64(5);
        a.anomaly.updatedAt = st.int64(6);
        a.anomaly.score = st.real(7);
        a.indicatorsJson = str(st.text(8));
        a.anomaly.explanation = str(st.text(9));
        a.anomaly.recommendation = str(st.text(10));
        a.anomaly.metric = str(st.text(11));
        page.items.push_back(std::move(a));
    }
    return page;
}

std::optional<TimeNs> SqliteStoreReader::latestKpiMinute(const std::string &service, const std::string &endpoint)
{
    const auto sid = serviceId(service);
    if (!sid)
        return std::nullopt;
    Statement st(m_db->handle(), "SELECT max(start) FROM kpi_rollups WHERE service_id=? AND endpoint=?");
    st.bind(1, *sid).bindText(2, endpoint);
    if (st.step() && !st.isNull(0))
        return st.int64(0);
    return std::nullopt;
}

std::vector<std::string> SqliteStoreReader::kpiEndpoints(const std::string &service, TimeNs from)
{
    std::vector<std::string> out;
    const auto sid = serviceId(service);
    if (!sid)
        return out;
    // One probe per route on the primary key rather than a scan of the service's minutes.
    Statement routes(m_db->handle(), "SELECT DISTINCT endpoint FROM kpi_rollups WHERE service_id=? AND endpoint <> ''");
    Statement recent(m_db->handle(), "SELECT 1 FROM kpi_rollups WHERE service_id=? AND endpoint=? AND start >= ? LIMIT 1");
    routes.bind(1, *sid);
    while (routes.step()) {
        const std::string e(routes.text(0));
        recent.bind(1, *sid).bindText(2, e).bind(3, from);
        if (recent.step())
            out.push_back(e);
        recent.reset();
    }
    return out;
}

std::vector<StoredTemplate> SqliteStoreReader::templates(const std::string &service, Level minLevel, TimeNs from,
                                                         TimeNs to, int limit)
{
    std::vector<StoredTemplate> out;
    std::optional<std::int64_t> sid;
    if (!service.empty() && !(sid = serviceId(service)))
        return out;
    std::string sql = "SELECT s.name, t.template_id, t.template, t.sample, t.max_level, t.first_seen, t.last_seen, t.count,"
                      " (SELECT coalesce(sum(c.count), 0) FROM template_counts c WHERE c.service_id = t.service_id"
                      "  AND c.template_id = t.template_id AND c.minute BETWEEN ?2 AND ?3) AS n"
                      " FROM templates t JOIN services s ON s.id = t.service_id WHERE t.max_level >= ?1";
    if (sid)
        sql += " AND t.service_id = ?4";
    sql += " ORDER BY n DESC, t.count DESC";
    if (limit > 0)
        sql += " LIMIT ?5";
    Statement st(m_db->handle(), sql);
    st.bind(1, int(minLevel)).bind(2, from - from % (60 * kNsPerSec)).bind(3, to);
    if (sid)
        st.bind(4, *sid);
    if (limit > 0)
        st.bind(5, limit);
    while (st.step()) {
        StoredTemplate t;
        t.service = str(st.text(0));
        t.id = st.int64(1);
        t.text = str(st.text(2));
        t.sample = str(st.text(3));
        t.maxLevel = Level(st.int64(4));
        t.firstSeen = st.int64(5);
        t.lastSeen = st.int64(6);
        t.total = st.int64(7);
        t.inRange = st.int64(8);
        out.push_back(std::move(t));
    }
    return out;
}

std::optional<std::string> SqliteStoreReader::setting(const std::string &key)
{
    Statement st(m_db->handle(), "SELECT value FROM settings WHERE key=?");
    st.bindText(1, key);
    if (st.step())
        return str(st.text(0));
    return std::nullopt;
}

namespace {
constexpr const char *kAlertColumns =
    "id, rule_id, service, endpoint, reason, level, state, pending_since, coalesce(fired_at,0), coalesce(resolved_at,0), "
    "explanation, coalesce(acknowledged_by,''), coalesce(acknowledged_at,0), coalesce(ack_note,''), silenced, test, "
    "channels, updated, incident_id, pages";

Alert alertFrom(const Statement &st)
{
    Alert a;
    a.id = st.int64(0);
    a.ruleId = st.int64(1);
    a.service = str(st.text(2));
    a.endpoint = str(st.text(3));
    a.reason = str(st.text(4));
    a.level = parseAlertLevel(st.text(5)).value_or(AlertLevel::Warning);
    const std::string_view state = st.text(6);
    a.state = state == "firing" ? Alert::State::Firing : state == "resolved" ? Alert::State::Resolved : Alert::State::Pending;
    a.pendingSince = st.int64(7);
    a.firedAt = st.int64(8);
    a.resolvedAt = st.int64(9);
    a.explanation = str(st.text(10));
    a.acknowledgedBy = str(st.text(11));
    a.acknowledgedAt = st.int64(12);
    a.ackNote = str(st.text(13));
    a.silenced = st.int64(14) != 0;
    a.test = st.int64(15) != 0;
    a.pages = st.int64(19) != 0;
    const std::string channels = str(st.text(16));
    std::size_t start = 0;
    while (start < channels.size()) {
        const std::size_t end = std::min(channels.find(';', start), channels.size());
        a.channels.push_back(channels.substr(start, end - start));
        start = end + 1;
    }
    a.updated = st.int64(17);
    a.incidentId = st.int64(18);
    return a;
}
} // namespace

Page<Alert> SqliteStoreReader::alerts(const AlertQuery &q)
{
    Page<Alert> page;
    const TimeWindow &w = q.window;
    std::string sql = std::string("SELECT ") + kAlertColumns
                      + " FROM alerts WHERE pending_since <= ?2 AND (resolved_at IS NULL OR resolved_at >= ?1)";
    if (!q.service.empty())
        sql += " AND service = ?3";
    if (q.state == "open")
        sql += " AND state IN ('pending','firing')";
    else if (!q.state.empty())
        sql += " AND state = ?4";
    if (!q.level.empty()) {
        static const char *kOrder[] = {"info", "warning", "error", "critical"};
        std::string levels;
        bool on = false;
        for (const char *l : kOrder) {
            on = on || q.level == l;
            if (on)
                levels += std::string(levels.empty() ? "'" : ",'") + l + "'";
        }
        sql += " AND level IN (" + (levels.empty() ? std::string("''") : levels) + ")";
    }
    if (!q.text.empty())
        sql += " AND fg_icontains(service || ' ' || endpoint || ' ' || reason || ' ' || explanation, ?8)";
    if (w.after)
        sql += " AND (pending_since < ?5 OR (pending_since = ?5 AND id < ?6))";
    sql += " ORDER BY pending_since DESC, id DESC LIMIT ?7";
    Statement st(m_db->handle(), sql);
    st.bind(1, w.from).bind(2, w.to);
    if (!q.service.empty())
        st.bindText(3, q.service);
    if (!q.state.empty() && q.state != "open")
        st.bindText(4, q.state);
    if (w.after)
        st.bind(5, w.after->ts).bind(6, w.after->id);
    st.bind(7, w.limit + 1);
    if (!q.text.empty())
        st.bindText(8, q.text);
    while (st.step()) {
        if (int(page.items.size()) == w.limit) {
            page.nextCursor = Cursor{page.items.back().pendingSince, page.items.back().id};
            break;
        }
        page.items.push_back(alertFrom(st));
    }
    return page;
}

std::optional<Alert> SqliteStoreReader::alert(std::int64_t id)
{
    Statement st(m_db->handle(), std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE id=?");
    st.bind(1, id);
    if (st.step())
        return alertFrom(st);
    return std::nullopt;
}

std::vector<AlertTransition> SqliteStoreReader::alertTransitions(std::int64_t id)
{
    std::vector<AlertTransition> out;
    Statement st(m_db->handle(), "SELECT at, wall, from_state, to_state, reason FROM alert_transitions WHERE alert_id=? "
                                 "ORDER BY rowid");
    st.bind(1, id);
    while (st.step())
        out.push_back({id, st.int64(0), st.int64(1), str(st.text(2)), str(st.text(3)), str(st.text(4))});
    return out;
}

std::vector<std::pair<std::int64_t, std::string>> SqliteStoreReader::ruleDocuments()
{
    std::vector<std::pair<std::int64_t, std::string>> out;
    Statement st(m_db->handle(), "SELECT id, doc FROM alert_rules ORDER BY id");
    while (st.step())
        out.emplace_back(st.int64(0), str(st.text(1)));
    return out;
}

std::vector<std::string> SqliteStoreReader::silenceDocuments(TimeNs endsAfter)
{
    std::vector<std::string> out;
    Statement st(m_db->handle(), "SELECT doc FROM silences WHERE ends_at > ? ORDER BY id");
    st.bind(1, endsAfter);
    while (st.step())
        out.push_back(str(st.text(0)));
    return out;
}

std::int64_t SqliteStoreReader::maxAlertingId()
{
    Statement st(m_db->handle(), "SELECT max(coalesce((SELECT max(id) FROM alerts),0), coalesce((SELECT max(id) FROM "
                                 "alert_rules),0), coalesce((SELECT max(id) FROM silences),0), "
                                 "coalesce((SELECT max(id) FROM channels),0), coalesce((SELECT max(id) FROM incidents),0))");
    return st.step() ? st.int64(0) : 0;
}

namespace {
constexpr const char *kDeliveryColumns = "id, alert_id, channel_id, kind, created, state, attempts, next_attempt, "
                                         "coalesce(last_error,''), coalesce(delivered_at,0)";
Delivery deliveryFrom(const Statement &st)
{
    Delivery d;
    d.id = st.int64(0);
    d.alertId = st.int64(1);
    d.channelId = st.int64(2);
    d.kind = str(st.text(3));
    d.created = st.int64(4);
    d.state = str(st.text(5));
    d.attempts = int(st.int64(6));
    d.nextAttempt = st.int64(7);
    d.lastError = str(st.text(8));
    d.deliveredAt = st.int64(9);
    return d;
}
} // namespace

namespace {
constexpr const char *kIncidentColumns =
    "id, service, title, severity, opened_at, coalesce(closed_at,0), last_activity, alert_count, updated";
Incident incidentFrom(const Statement &st)
{
    Incident i;
    i.id = st.int64(0);
    i.service = str(st.text(1));
    i.title = str(st.text(2));
    i.severity = parseAlertLevel(st.text(3)).value_or(AlertLevel::Warning);
    i.openedAt = st.int64(4);
    i.closedAt = st.int64(5);
    i.lastActivity = st.int64(6);
    i.alertCount = int(st.int64(7));
    i.updated = st.int64(8);
    return i;
}
} // namespace

Page<Incident> SqliteStoreReader::incidents(const TimeWindow &w, const std::string &service, bool openOnly)
{
    Page<Incident> page;
    std::string sql = std::string("SELECT ") + kIncidentColumns
                      + " FROM incidents WHERE opened_at <= ?2 AND (closed_at IS NULL OR closed_at >= ?1)";
    if (!service.empty())
        sql += " AND service = ?3";
    if (openOnly)
        sql += " AND closed_at IS NULL";
    if (w.after)
        sql += " AND (opened_at < ?4 OR (opened_at = ?4 AND id < ?5))";
    sql += " ORDER BY opened_at DESC, id DESC LIMIT ?6";
    Statement st(m_db->handle(), sql);
    st.bind(1, w.from).bind(2, w.to);
    if (!service.empty())
        st.bindText(3, service);
    if (w.after)
        st.bind(4, w.after->ts).bind(5, w.after->id);
    st.bind(6, w.limit + 1);
    while (st.step()) {
        if (int(page.items.size()) == w.limit) {
            page.nextCursor = Cursor{page.items.back().openedAt, page.items.back().id};
            break;
        }
        page.items.push_back(incidentFrom(st));
    }
    return page;
}

std::optional<Incident> SqliteStoreReader::incident(std::int64_t id)
{
    Statement st(m_db->handle(), std::string("SELECT ") + kIncidentColumns + " FROM incidents WHERE id=?");
    st.bind(1, id);
    if (st.step())
        return incidentFrom(st);
    return std::nullopt;
}

std::vector<Alert> SqliteStoreReader::incidentAlerts(std::int64_t incidentId)
{
    std::vector<Alert> out;
    Statement st(m_db->handle(), std::string("SELECT ") + kAlertColumns + " FROM alerts WHERE incident_id=? ORDER BY fired_at, id");
    st.bind(1, incidentId);
    while (st.step())
        out.push_back(alertFrom(st));
    return out;
}

std::vector<std::pair<Incident, int>> SqliteStoreReader::latestIncidents()
{
    std::vector<std::pair<Incident, int>> out;
    Statement st(m_db->handle(), std::string("SELECT ") + kIncidentColumns
                                     + ", (SELECT count(*) FROM alerts a WHERE a.incident_id = i.id AND a.state='firing') "
                                       "FROM incidents i WHERE id IN (SELECT max(id) FROM incidents GROUP BY service)");
    while (st.step())
        out.emplace_back(incidentFrom(st), int(st.int64(9)));
    return out;
}

std::vector<Delivery> SqliteStoreReader::dueDeliveries(TimeNs now, int limit)
{
    std::vector<Delivery> out;
    Statement st(m_db->handle(), std::string("SELECT ") + kDeliveryColumns
                                     + " FROM outbox WHERE state='pending' AND next_attempt <= ? ORDER BY id LIMIT ?");
    st.bind(1, now).bind(2, limit);
    while (st.step())
        out.push_back(deliveryFrom(st));
    return out;
}

std::vector<Delivery> SqliteStoreReader::deliveries(std::int64_t alertId)
{
    std::vector<Delivery> out;
    Statement st(m_db->handle(), std::string("SELECT ") + kDeliveryColumns + " FROM outbox WHERE alert_id=? ORDER BY id");
    st.bind(1, alertId);
    while (st.step())
        out.push_back(deliveryFrom(st));
    return out;
}

std::vector<std::pair<std::int64_t, std::string>> SqliteStoreReader::channelDocuments()
{
    std::vector<std::pair<std::int64_t, std::string>> out;
    Statement st(m_db->handle(), "SELECT id, doc FROM channels ORDER BY id");
    while (st.step())
        out.emplace_back(st.int64(0), str(st.text(1)));
    return out;
}

void SqliteStoreReader::forEachMetricSeries(
    const std::function<void(const std::string &service, const std::string &name, const std::string &tags)> &visit)
{
    Statement st(m_db->handle(), "SELECT s.name, m.name, m.tags FROM metric_series m JOIN services s ON s.id = m.service_id");
    while (st.step())
        visit(str(st.text(0)), str(st.text(1)), str(st.text(2)));
}

} // namespace fg
