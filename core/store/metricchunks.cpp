#include "metricchunks.h"

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <queue>

#include "chunkbytes.h"
#include "sqlitedb.h"

namespace fg {

namespace {
// Chunks looked at per retention transaction (most are dropped without reading their points).
constexpr int kMaintenanceChunks = 256;
// Chunks deleted per size-cap step: a chunk is one job's points of one service, usually small.
constexpr int kOldestChunks = 16;

bool newer(const StoredPoint &a, const StoredPoint &b)
{
    return a.sample.ts != b.sample.ts ? a.sample.ts > b.sample.ts : a.id > b.id;
}

bool wanted(const MetricChunkReader::SeriesFilter &f, std::int64_t seriesId)
{
    return f.all || f.ids.count(seriesId) > 0;
}
} // namespace

MetricChunkWriter::MetricChunkWriter(SqliteDb &db, StoreStats &stats)
    : m_db(db), m_stats(stats),
      m_insert(std::make_unique<Statement>(
          db.handle(), "INSERT INTO metric_chunks(service_id,min_ts,max_ts,min_id,max_id,min_received,max_received,expires_at,"
                       "count,signals,series_mask,points) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)")),
      m_deleteChunk(std::make_unique<Statement>(db.handle(), "DELETE FROM metric_chunks WHERE id=?")),
      m_deleteSignal(std::make_unique<Statement>(db.handle(), "DELETE FROM signal_ids WHERE key=? AND row_id=?"))
{
}

MetricChunkWriter::~MetricChunkWriter() = default;

void MetricChunkWriter::write(std::int64_t serviceId, std::vector<MetricChunkPoint> points)
{
    for (std::size_t at = 0; at < points.size(); at += kChunkPoints) {
        const auto end = points.begin() + long(std::min(points.size(), at + kChunkPoints));
        const EncodedMetricChunk c = encodeMetricChunk({std::make_move_iterator(points.begin() + long(at)),
                                                        std::make_move_iterator(end)});
        Statement &st = *m_insert;
        st.bind(1, serviceId).bind(2, c.minTs).bind(3, c.maxTs).bind(4, c.minId).bind(5, c.maxId);
        st.bind(6, c.minReceived).bind(7, c.maxReceived).bind(8, c.expiresAt).bind(9, c.count).bind(10, c.signalCount);
        st.bind(11, std::int64_t(c.seriesMask)).bindBlob(12, c.block);
        st.exec();
    }
}

void MetricChunkWriter::forgetChunk(std::int64_t chunkId, const std::vector<MetricChunkPoint> &gone)
{
    std::string key;
    for (const MetricChunkPoint &p : gone) {
        if (p.signalId.empty())
            continue;
        key = "m:" + p.signalId;
        m_deleteSignal->bind(1, std::string_view(key)).bind(2, p.id);
        m_deleteSignal->exec();
    }
    m_deleteChunk->bind(1, chunkId).exec();
}

std::int64_t MetricChunkWriter::uncount(const std::unordered_map<std::int64_t, std::int64_t> &perService)
{
    Statement dec(m_db.handle(), "UPDATE services SET metric_count=metric_count-? WHERE id=?");
    std::int64_t removed = 0;
    for (const auto &[sid, n] : perService) {
        dec.bind(1, n).bind(2, sid).exec();
        removed += n;
    }
    return removed;
}

void MetricChunkWriter::removed(std::int64_t points)
{
    m_stats.metricsStored -= points;
    m_stats.retentionDeleted += points;
}

bool MetricChunkWriter::expire(TimeNs cutoff)
{
    Transaction tx(m_db);
    Statement st(m_db.handle(), "SELECT id, service_id, count, signals = 0 AND max_ts < ?1 AND max_received < ?1, points"
                                " FROM metric_chunks WHERE expires_at < ?1 ORDER BY expires_at LIMIT ?2");
    st.bind(1, cutoff).bind(2, kMaintenanceChunks);
    struct Candidate {
        std::int64_t id, serviceId;
        int count;
        bool whole; // every point expires and none claims a signal id: dropped without decoding
        std::string points;
    };
    std::vector<Candidate> candidates;
    while (st.step())
        candidates.push_back({st.int64(0), st.int64(1), int(st.int64(2)), st.int64(3) != 0,
                              st.int64(3) != 0 ? std::string() : std::string(st.blob(4))});
    st.reset();
    std::unordered_map<std::int64_t, std::int64_t> perService;
    for (const Candidate &c : candidates) {
        if (c.whole) {
            forgetChunk(c.id, {});
            perService[c.serviceId] += c.count;
            continue;
        }
        // The points that expire go (with their signal ids); the rest is written again as a chunk of its own.
        std::vector<MetricChunkPoint> gone, kept;
        for (MetricChunkPoint &p : decodeMetricChunk(c.points, c.count))
            (p.ts < cutoff && p.received < cutoff ? gone : kept).push_back(std::move(p));
        forgetChunk(c.id, gone);
        perService[c.serviceId] += std::int64_t(gone.size());
        if (!kept.empty())
            write(c.serviceId, std::move(kept));
    }
    const std::int64_t gone = uncount(perService);
    tx.commit();
    removed(gone);
    return int(candidates.size()) == kMaintenanceChunks;
}

TimeNs MetricChunkWriter::oldestReceived()
{
    Statement st(m_db.handle(), "SELECT min_received FROM metric_chunks ORDER BY expires_at LIMIT 1");
    return st.step() ? st.int64(0) : std::numeric_limits<TimeNs>::max();
}

void MetricChunkWriter::deleteOldest()
{
    Transaction tx(m_db);
    Statement st(m_db.handle(), "SELECT id, service_id, count, signals, points FROM metric_chunks ORDER BY expires_at LIMIT ?");
    st.bind(1, kOldestChunks);
    std::unordered_map<std::int64_t, std::int64_t> perService;
    std::vector<std::pair<std::int64_t, std::vector<MetricChunkPoint>>> doomed;
    while (st.step()) {
        perService[st.int64(1)] += st.int64(2);
        doomed.emplace_back(st.int64(0), st.int64(3) > 0 ? decodeMetricChunk(st.blob(4), int(st.int64(2)))
                                                          : std::vector<MetricChunkPoint>{});
    }
    st.reset();
    for (const auto &[id, points] : doomed)
        forgetChunk(id, points);
    const std::int64_t gone = uncount(perService);
    tx.commit();
    removed(gone);
}

std::int64_t MetricChunkWriter::maxId() { return m_db.queryInt("SELECT coalesce(max(max_id), 0) FROM metric_chunks"); }

std::int64_t MetricChunkWriter::forgetServices(const std::vector<std::int64_t> &serviceIds)
{
    Statement st(m_db.handle(), "SELECT id, count, signals, points FROM metric_chunks WHERE service_id=?");
    std::int64_t removed = 0;
    for (std::int64_t sid : serviceIds) {
        std::vector<std::pair<std::int64_t, std::vector<MetricChunkPoint>>> doomed;
        st.bind(1, sid);
        while (st.step()) {
            removed += st.int64(1);
            doomed.emplace_back(st.int64(0), st.int64(2) > 0 ? decodeMetricChunk(st.blob(3), int(st.int64(1)))
                                                              : std::vector<MetricChunkPoint>{});
        }
        st.reset();
        for (const auto &[id, points] : doomed)
            forgetChunk(id, points);
    }
    return removed;
}

void MetricChunkWriter::restartCompaction()
{
    m_compactServices.clear();
    m_looked = false;
}

bool MetricChunkWriter::compactStep()
{
    if (!m_looked) {
        // The literal 1024 lets SQLite read the v13 index of small chunks alone.
        static_assert(kSmallChunkPoints == 1024);
        Statement st(m_db.handle(), "SELECT service_id FROM metric_chunks WHERE count < 1024 GROUP BY service_id HAVING count(*) >= 2");
        while (st.step())
            m_compactServices.push_back(st.int64(0));
        m_looked = true;
    }
    if (m_compactServices.empty())
        return false;
    bool merged = false;
    try {
        merged = mergeSmallChunks(m_compactServices.back());
    } catch (...) { // a damaged chunk: the other services' turn first, this one again next round
        m_compactServices.pop_back();
        throw;
    }
    if (!merged)
        m_compactServices.pop_back();
    return true;
}

bool MetricChunkWriter::mergeSmallChunks(std::int64_t serviceId)
{
    // Oldest event time first, the first run of consecutive small chunks that is due: at least two that
    // hold kSmallChunkPoints points or are kMergeChunks, or that the next one would take past kChunkPoints
    // points or kMergeSpanNs (a run is complete then; the newest run waits for more).
    Statement st(m_db.handle(), "SELECT id, count, min_ts, max_ts FROM metric_chunks WHERE service_id = ?1 AND count < 1024"
                                " ORDER BY min_ts LIMIT 16384");
    st.bind(1, serviceId);
    std::vector<std::int64_t> members;
    std::size_t total = 0;
    TimeNs from = 0, to = 0;
    bool complete = false;
    auto due = [&] {
        return members.size() >= 2 && (complete || total >= kSmallChunkPoints || members.size() >= kMergeChunks);
    };
    while (st.step()) {
        const auto count = std::size_t(st.int64(1));
        const TimeNs minTs = st.int64(2), maxTs = st.int64(3);
        if (!members.empty() && (total + count > kChunkPoints || std::max(to, maxTs) - from > kMergeSpanNs)) {
            complete = true;
            if (due())
                break;
            members.clear();
            total = 0;
            complete = false;
        }
        if (members.empty()) {
            from = minTs;
            to = maxTs;
        }
        members.push_back(st.int64(0));
        total += count;
        to = std::max(to, maxTs);
    }
    st.reset();
    if (!due())
        return false;
    // Chosen outside the transaction: this thread is the only writer.
    Transaction tx(m_db);
    std::vector<MetricChunkPoint> points;
    points.reserve(total);
    Statement chunk(m_db.handle(), "SELECT count, points FROM metric_chunks WHERE id=?");
    for (std::int64_t id : members) {
        chunk.bind(1, id);
        if (!chunk.step())
            throw ChunkCorrupt();
        for (MetricChunkPoint &p : decodeMetricChunk(chunk.blob(1), int(chunk.int64(0))))
            points.push_back(std::move(p));
        chunk.reset();
    }
    write(serviceId, std::move(points));
    // The points keep their ids, so their signal ids stay claimed as they are.
    for (std::int64_t id : members)
        forgetChunk(id, {});
    tx.commit();
    m_stats.chunksMerged += std::int64_t(members.size());
    return true;
}

void MetricChunkReader::Aggregate::add(double v)
{
    merge(v, v, v, 1);
}

void MetricChunkReader::Aggregate::merge(double s, double lo, double hi, std::int64_t n)
{
    if (n <= 0)
        return;
    min = count ? std::min(min, lo) : lo;
    max = count ? std::max(max, hi) : hi;
    sum += s;
    count += n;
}

MetricChunkReader::MetricChunkReader(sqlite3 *db, std::function<void()> checkInterrupt)
    : m_db(db), m_checkInterrupt(std::move(checkInterrupt))
{
}

MetricChunkReader::~MetricChunkReader() = default;

void MetricChunkReader::describe(std::int64_t seriesId, MetricSample &sample)
{
    auto it = m_series.find(seriesId);
    if (it == m_series.end()) {
        if (!m_describe)
            m_describe = std::make_unique<Statement>(
                m_db, "SELECT s.name, s.type, s.tags, (SELECT name FROM services WHERE id=s.service_id)"
                      " FROM metric_series s WHERE s.id=?");
        SeriesInfo info;
        m_describe->bind(1, seriesId);
        if (m_describe->step()) {
            info.name = std::string(m_describe->text(0));
            info.type = MetricType(m_describe->int64(1));
            info.tags = std::string(m_describe->text(2));
            info.service = std::string(m_describe->text(3));
        }
        m_describe->reset();
        it = m_series.emplace(seriesId, std::move(info)).first;
    }
    sample.name = it->second.name;
    sample.type = it->second.type;
    sample.tags = it->second.tags;
    sample.service = it->second.service;
}

StoredPoint MetricChunkReader::stored(const MetricChunkPoint &p)
{
    StoredPoint s;
    s.id = p.id;
    s.sample.ts = p.ts;
    s.sample.received = p.received;
    s.sample.value = p.value;
    s.sample.signalId = p.signalId;
    describe(p.seriesId, s.sample);
    return s;
}

void MetricChunkReader::newest(const TimeWindow &w, std::optional<std::int64_t> serviceId, const SeriesFilter &series,
                               std::size_t keep, std::vector<StoredPoint> &points)
{
    // The kept points, the oldest of them on top.
    struct Older {
        bool operator()(const StoredPoint &a, const StoredPoint &b) const { return newer(a, b); }
    };
    if (keep == 0) {
        points.clear();
        return;
    }
    std::priority_queue<StoredPoint, std::vector<StoredPoint>, Older> best;
    auto offer = [&](StoredPoint p) {
        if (best.size() >= keep) {
            if (!newer(p, best.top()))
                return;
            best.pop();
        }
        best.push(std::move(p));
    };
    for (StoredPoint &p : points)
        offer(std::move(p));
    points.clear();
    const TimeNs upper = w.after ? std::min(w.to, w.after->ts) : w.to;
    std::string sql = "SELECT max_ts, count, series_mask, points FROM metric_chunks WHERE";
    sql += serviceId ? " service_id = ?1 AND" : "";
    sql += " max_ts >= ?2 AND min_ts <= ?3 ORDER BY max_ts DESC";
    Statement chunks(m_db, sql);
    if (serviceId)
        chunks.bind(1, *serviceId);
    chunks.bind(2, w.from).bind(3, upper);
    // Chunks come newest maximum first: once the kept points are all newer than one's newest, no later
    // chunk can add one.
    while (chunks.step()) {
        if (best.size() >= keep && best.top().sample.ts > chunks.int64(0))
            break;
        if (!series.all && !(std::uint64_t(chunks.int64(2)) & series.mask))
            continue;
        if (m_checkInterrupt)
            m_checkInterrupt();
        for (const MetricChunkPoint &p : decodeMetricChunk(chunks.blob(3), int(chunks.int64(1)))) {
            if (p.ts < w.from || p.ts > w.to || !wanted(series, p.seriesId))
                continue;
            if (w.after && !(p.ts < w.after->ts || (p.ts == w.after->ts && p.id < w.after->id)))
                continue;
            if (best.size() >= keep && (best.top().sample.ts > p.ts || (best.top().sample.ts == p.ts && best.top().id > p.id)))
                continue;
            offer(stored(p));
        }
    }
    points.reserve(best.size());
    while (!best.empty()) {
        points.push_back(best.top());
        best.pop();
    }
    std::sort(points.begin(), points.end(), newer);
}

std::vector<StoredPoint> MetricChunkReader::inCommitOrder(std::int64_t afterId, std::int64_t throughId, int limit)
{
    std::vector<StoredPoint> out;
    if (limit <= 0)
        return out;
    // The chunks in range first, without their points (an ORDER BY would sort every chunk's points up to
    // throughId; see LogChunkReader::inCommitOrder).
    std::vector<std::pair<std::int64_t, std::int64_t>> inRange; // (min_id, chunk id)
    {
        Statement range(m_db, "SELECT min_id, id FROM metric_chunks WHERE max_id > ?1 AND min_id <= ?2");
        range.bind(1, afterId).bind(2, throughId);
        while (range.step())
            inRange.emplace_back(range.int64(0), range.int64(1));
    }
    std::sort(inRange.begin(), inRange.end());
    Statement chunk(m_db, "SELECT count, points FROM metric_chunks WHERE id=?");
    auto byId = [](const StoredPoint &a, const StoredPoint &b) { return a.id < b.id; };
    for (const auto &[minId, chunkId] : inRange) {
        // Lowest first id first: once `limit` points below this chunk's first are in, it adds none.
        if (int(out.size()) >= limit) {
            std::nth_element(out.begin(), out.begin() + limit - 1, out.end(), byId);
            out.resize(std::size_t(limit));
            if (std::max_element(out.begin(), out.end(), byId)->id < minId)
                break;
        }
        if (m_checkInterrupt)
            m_checkInterrupt();
        chunk.bind(1, chunkId);
        if (chunk.step())
            for (const MetricChunkPoint &p : decodeMetricChunk(chunk.blob(1), int(chunk.int64(0))))
                if (p.id > afterId && p.id <= throughId)
                    out.push_back(stored(p));
        chunk.reset();
    }
    return out;
}

void MetricChunkReader::buckets(TimeNs from, TimeNs to, TimeNs step, std::optional<std::int64_t> serviceId,
                                const SeriesFilter &series, std::size_t maxBuckets, Buckets &out)
{
    std::string sql = "SELECT count, series_mask, points FROM metric_chunks WHERE";
    sql += serviceId ? " service_id = ?1 AND" : "";
    sql += " max_ts >= ?2 AND min_ts <= ?3";
    Statement chunks(m_db, sql);
    if (serviceId)
        chunks.bind(1, *serviceId);
    chunks.bind(2, from).bind(3, to);
    while (chunks.step()) {
        if (!series.all && !(std::uint64_t(chunks.int64(1)) & series.mask))
            continue;
        if (m_checkInterrupt)
            m_checkInterrupt();
        for (const MetricChunkPoint &p : decodeMetricChunk(chunks.blob(2), int(chunks.int64(0)))) {
            if (p.ts < from || p.ts > to || !wanted(series, p.seriesId))
                continue;
            const std::pair<std::int64_t, std::int64_t> key{p.seriesId, p.ts / step};
            // Only the lowest maxBuckets keys are answered: beyond them nothing new is kept.
            if (out.size() >= maxBuckets && !out.empty() && !(key < out.rbegin()->first) && !out.count(key))
                continue;
            out[key].add(p.value);
            if (out.size() > maxBuckets)
                out.erase(std::prev(out.end()));
        }
    }
}

} // namespace fg
