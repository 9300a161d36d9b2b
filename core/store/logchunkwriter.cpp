#include "logchunkwriter.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "chunkbytes.h"
#include "logchunkcodec.h"
#include "sqlitedb.h"

namespace fg {

namespace {
// Chunks looked at per retention transaction (most are dropped without reading their blocks).
constexpr int kMaintenanceChunks = 256;

std::string str(std::string_view v) { return std::string(v); }

// A chunk read for retention or the size cap, copied out before the table is changed.
struct ChunkRow {
    std::int64_t id = 0, serviceId = 0;
    int count = 0;
    bool hasSignals = false;
    std::string keys, fields, messages, attributes;
    std::vector<std::pair<std::int64_t, LogRecord>> rows() const
    {
        return decodeLogChunkRows(keys, fields, messages, attributes, count, {});
    }
};

std::vector<ChunkRow> readChunks(Statement &st)
{
    std::vector<ChunkRow> out;
    while (st.step())
        out.push_back({st.int64(0), st.int64(1), int(st.int64(2)), st.int64(3) > 0, str(st.blob(4)), str(st.blob(5)),
                       str(st.blob(6)), str(st.blob(7))});
    st.reset();
    return out;
}
} // namespace

LogChunkWriter::LogChunkWriter(SqliteDb &db, StoreStats &stats) : m_db(db), m_stats(stats)
{
    m_insertChunk = std::make_unique<Statement>(
        db.handle(), "INSERT INTO log_chunks(service_id,min_ts,max_ts,min_id,max_id,min_received,max_received,"
                     "expires_at,count,signals,level_mask,text_bloom,keys,fields,messages,attributes)"
                     " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
    m_insertKeys = std::make_unique<Statement>(db.handle(), "INSERT INTO log_chunk_keys(chunk_id,bloom) VALUES(?,?)");
    m_insertStaged = std::make_unique<Statement>(
        db.handle(), "INSERT INTO logs(id,ts,received,service_id,level,level_raw,message,latency_ms,status_code,"
                     "endpoint,method,trace_id,span_id,signal_id,attributes,tags)"
                     " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    m_deleteSignal = std::make_unique<Statement>(db.handle(), "DELETE FROM signal_ids WHERE key=? AND row_id=?");
    m_deleteChunk = std::make_unique<Statement>(db.handle(), "DELETE FROM log_chunks WHERE id=?");
    m_deleteKeys = std::make_unique<Statement>(db.handle(), "DELETE FROM log_chunk_keys WHERE chunk_id=?");
    recountStaged();
    m_ungroupedKeys = m_db.queryInt("SELECT count(*) FROM log_chunk_keys");
}

LogChunkWriter::~LogChunkWriter() = default;

// Rows already staged when the store opens (from before a crash, or a version 8 database's whole log
// table) are due at once: they are sealed in the background, one chunk per step.
void LogChunkWriter::recountStaged()
{
    m_staged.clear();
    Statement st(m_db.handle(), "SELECT service_id, count(*) FROM logs GROUP BY service_id");
    std::int64_t total = 0;
    while (st.step()) {
        m_staged[st.int64(0)] = {st.int64(1), 0};
        total += st.int64(1);
    }
    m_stats.logsStaged = total;
}

void LogChunkWriter::add(std::int64_t serviceId, std::int64_t id, const LogRecord &record)
{
    m_job.push_back({serviceId, {id, &record}});
}

void LogChunkWriter::keepJob()
{
    for (const auto &[sid, row] : m_job)
        m_group[sid].push_back(row);
    m_job.clear();
}

void LogChunkWriter::dropJob() { m_job.clear(); }

void LogChunkWriter::writeGroup()
{
    for (auto &[sid, rows] : m_group) {
        if (rows.size() < kDirectChunkEvents) {
            for (const auto &[id, r] : rows)
                stageRow(sid, id, *r);
            continue;
        }
        // Sorted by event time first so that each chunk covers a short span.
        std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
            return a.second->ts != b.second->ts ? a.second->ts < b.second->ts : a.first < b.first;
        });
        for (std::size_t start = 0; start < rows.size(); start += kChunkEvents) {
            const std::size_t end = std::min(rows.size(), start + kChunkEvents);
            writeChunk(sid, Rows(rows.begin() + long(start), rows.begin() + long(end)));
        }
    }
    m_group.clear();
}

void LogChunkWriter::groupCommitted()
{
    for (const auto &[sid, s] : m_groupStaged) {
        Staged &staged = m_staged[sid];
        staged.oldestReceived = staged.count ? std::min(staged.oldestReceived, s.oldestReceived) : s.oldestReceived;
        staged.count += s.count;
        m_stats.logsStaged += s.count;
    }
    m_groupStaged.clear();
}

void LogChunkWriter::groupFailed()
{
    m_job.clear();
    m_group.clear();
    m_groupStaged.clear();
}

void LogChunkWriter::stageRow(std::int64_t sid, std::int64_t id, const LogRecord &r)
{
    Statement &s = *m_insertStaged;
    s.bind(1, id).bind(2, r.ts).bind(3, r.received).bind(4, sid).bind(5, int(r.level));
    s.bind(6, std::string_view(r.levelRaw)).bind(7, std::string_view(r.message)).bind(8, r.latencyMs);
    if (r.statusCode)
        s.bind(9, r.statusCode);
    else
        s.bindNull(9);
    s.bind(10, std::string_view(r.endpoint)).bind(11, std::string_view(r.method));
    s.bind(12, std::string_view(r.traceId)).bind(13, std::string_view(r.spanId));
    s.bind(14, std::string_view(r.signalId)).bind(15, std::string_view(r.attributes));
    s.bind(16, std::string_view(r.tags));
    s.exec();
    Staged &staged = m_groupStaged[sid];
    staged.oldestReceived = staged.count ? std::min(staged.oldestReceived, r.received) : r.received;
    ++staged.count;
}

void LogChunkWriter::writeChunk(std::int64_t sid, Rows rows)
{
    EncodedLogChunk c;
    try {
        c = encodeLogChunk(std::move(rows));
    } catch (const std::runtime_error &e) { // the compressor failed: the transaction fails like a write would
        throw SqliteError(e.what(), SQLITE_ERROR);
    }
    Statement &s = *m_insertChunk;
    s.bind(1, sid).bind(2, c.minTs).bind(3, c.maxTs).bind(4, c.minId).bind(5, c.maxId).bind(6, c.minReceived);
    s.bind(7, c.maxReceived).bind(8, c.expiresAt).bind(9, c.count).bind(10, c.signalCount);
    s.bind(11, std::int64_t(c.levelMask)).bindBlob(12, c.textBloom).bindBlob(13, c.keys).bindBlob(14, c.fields);
    s.bindBlob(15, c.messages).bindBlob(16, c.attributes);
    s.step();
    const std::int64_t chunkId = s.int64(0);
    s.reset();
    if (!c.keyBloom.empty()) {
        m_insertKeys->bind(1, chunkId).bindBlob(2, c.keyBloom);
        m_insertKeys->exec();
        ++m_ungroupedKeys;
    }
}

bool LogChunkWriter::groupKeyFilters()
{
    if (m_ungroupedKeys < std::int64_t(kKeyGroupChunks))
        return false;
    Transaction tx(m_db);
    Statement st(m_db.handle(), "SELECT chunk_id, bloom FROM log_chunk_keys ORDER BY chunk_id LIMIT ?");
    st.bind(1, std::int64_t(kKeyGroupChunks));
    std::vector<std::int64_t> ids;
    std::vector<std::string> blooms;
    while (st.step()) {
        ids.push_back(st.int64(0));
        blooms.push_back(str(st.blob(1)));
    }
    st.reset();
    if (ids.size() < kKeyGroupChunks) {
        m_ungroupedKeys = std::int64_t(ids.size());
        return false;
    }
    const KeyFilterGroup g = fg::groupKeyFilters(ids, std::vector<std::string_view>(blooms.begin(), blooms.end()));
    // A part fits a table page (no overflow pages to walk); at most kKeySliceParts parts a run.
    const std::size_t partBits = std::max<std::size_t>({1, 3072 / g.sliceBytes, std::size_t(g.bits / kKeySliceParts)});
    Statement insert(m_db.handle(), "INSERT INTO log_key_groups(last_chunk,bits,slice_bytes,part_bits,chunks)"
                                    " VALUES(?,?,?,?,?) RETURNING id");
    insert.bind(1, ids.back()).bind(2, std::int64_t(g.bits)).bind(3, std::int64_t(g.sliceBytes));
    insert.bind(4, std::int64_t(partBits)).bindBlob(5, g.chunks);
    insert.step();
    const std::int64_t run = insert.int64(0);
    insert.reset();
    Statement part(m_db.handle(), "INSERT INTO log_key_slices(id, slices) VALUES(?,?)");
    const std::size_t partBytes = partBits * g.sliceBytes;
    for (std::size_t at = 0, n = 0; at < g.slices.size(); at += partBytes, ++n)
        part.bind(1, run * kKeySliceParts + std::int64_t(n))
            .bindBlob(2, std::string_view(g.slices).substr(at, partBytes))
            .exec();
    Statement drop(m_db.handle(), "DELETE FROM log_chunk_keys WHERE chunk_id <= ?");
    drop.bind(1, ids.back()).exec();
    tx.commit();
    m_ungroupedKeys -= std::int64_t(ids.size());
    return true;
}

void LogChunkWriter::dropEmptyKeyGroups()
{
    // Retention and the size cap take the oldest chunks: a run goes once its last chunk is older than every
    // chunk left. A chunk deleted out of that order leaves bits in its run, which only make a lookup look
    // for a chunk that is gone.
    Statement doomed(m_db.handle(), "SELECT id FROM log_key_groups"
                                    " WHERE last_chunk < (SELECT coalesce(min(id), 9223372036854775807) FROM log_chunks)");
    std::vector<std::int64_t> runs;
    while (doomed.step())
        runs.push_back(doomed.int64(0));
    doomed.reset();
    Statement parts(m_db.handle(), "DELETE FROM log_key_slices WHERE id >= ?1 * ?2 AND id < (?1 + 1) * ?2");
    Statement run(m_db.handle(), "DELETE FROM log_key_groups WHERE id = ?");
    for (std::int64_t id : runs) {
        parts.bind(1, id).bind(2, kKeySliceParts).exec();
        run.bind(1, id).exec();
    }
}

bool LogChunkWriter::sealStep(TimeNs now)
{
    auto due = std::find_if(m_staged.begin(), m_staged.end(), [&](const auto &e) {
        return e.second.count >= std::int64_t(kChunkEvents) || e.second.oldestReceived <= now - kSealAfterNs;
    });
    if (due == m_staged.end())
        return false;
    const std::int64_t sid = due->first;
    Transaction tx(m_db);
    // The (service, event time) index gives the rows in (ts, id) order, the order of the range deleted below.
    Statement st(m_db.handle(), "SELECT id, ts, received, level, level_raw, message, latency_ms, status_code, endpoint,"
                                " method, trace_id, span_id, signal_id, attributes, tags FROM logs WHERE service_id=?"
                                " ORDER BY ts, id LIMIT ?");
    st.bind(1, sid).bind(2, std::int64_t(kChunkEvents));
    std::vector<std::int64_t> ids;
    std::vector<LogRecord> records;
    while (st.step()) {
        ids.push_back(st.int64(0));
        LogRecord r;
        r.ts = st.int64(1);
        r.received = st.int64(2);
        r.level = Level(st.int64(3));
        r.levelRaw = str(st.text(4));
        r.message = str(st.text(5));
        r.latencyMs = st.isNull(6) ? NAN : st.real(6);
        r.statusCode = int(st.int64(7));
        r.endpoint = str(st.text(8));
        r.method = str(st.text(9));
        r.traceId = str(st.text(10));
        r.spanId = str(st.text(11));
        r.signalId = str(st.text(12));
        r.attributes = str(st.text(13));
        r.tags = str(st.text(14));
        records.push_back(std::move(r));
    }
    st.reset();
    if (!records.empty()) {
        Rows rows;
        rows.reserve(records.size());
        for (std::size_t i = 0; i < records.size(); ++i)
            rows.emplace_back(ids[i], &records[i]);
        writeChunk(sid, std::move(rows));
        Statement del(m_db.handle(), "DELETE FROM logs WHERE service_id=?1 AND (ts < ?2 OR (ts = ?2 AND id <= ?3))");
        del.bind(1, sid).bind(2, records.back().ts).bind(3, ids.back());
        del.exec();
    }
    tx.commit();
    m_stats.logsStaged -= std::int64_t(records.size());
    if (records.size() < kChunkEvents)
        m_staged.erase(sid); // all of them sealed
    else
        due->second.count -= std::int64_t(records.size());
    return std::any_of(m_staged.begin(), m_staged.end(), [&](const auto &e) {
        return e.second.count >= std::int64_t(kChunkEvents) || e.second.oldestReceived <= now - kSealAfterNs;
    });
}

void LogChunkWriter::forgetChunk(std::int64_t chunkId, const std::vector<std::pair<std::int64_t, LogRecord>> &gone)
{
    std::string key;
    for (const auto &[id, r] : gone) {
        if (r.signalId.empty())
            continue;
        key = "l:" + r.signalId;
        m_deleteSignal->bind(1, std::string_view(key)).bind(2, id);
        m_deleteSignal->exec();
    }
    m_deleteChunk->bind(1, chunkId).exec();
    m_deleteKeys->bind(1, chunkId).exec();
    m_ungroupedKeys -= m_db.changes();
}

void LogChunkWriter::uncount(const std::unordered_map<std::int64_t, std::int64_t> &perService)
{
    Statement dec(m_db.handle(), "UPDATE services SET log_count=log_count-? WHERE id=?");
    std::int64_t removed = 0;
    for (const auto &[sid, n] : perService) {
        dec.bind(1, n).bind(2, sid).exec();
        removed += n;
    }
    m_removed += removed;
}

bool LogChunkWriter::expire(TimeNs cutoff)
{
    Transaction tx(m_db);
    Statement st(m_db.handle(), "SELECT id, service_id, count, signals = 0 AND max_ts < ?1 AND max_received < ?1"
                                " FROM log_chunks WHERE expires_at < ?1 ORDER BY expires_at LIMIT ?2");
    st.bind(1, cutoff).bind(2, kMaintenanceChunks);
    struct Candidate {
        std::int64_t id, serviceId;
        int count;
        bool whole; // every event expires and none claims a signal id: dropped without reading its blocks
    };
    std::vector<Candidate> candidates;
    while (st.step())
        candidates.push_back({st.int64(0), st.int64(1), int(st.int64(2)), st.int64(3) != 0});
    st.reset();
    std::unordered_map<std::int64_t, std::int64_t> perService;
    Statement blocks(m_db.handle(), "SELECT keys, fields, messages, attributes FROM log_chunks WHERE id=?");
    for (const Candidate &c : candidates) {
        if (c.whole) {
            forgetChunk(c.id, {});
            perService[c.serviceId] += c.count;
            continue;
        }
        blocks.bind(1, c.id);
        if (!blocks.step()) {
            blocks.reset();
            continue;
        }
        auto rows = decodeLogChunkRows(blocks.blob(0), blocks.blob(1), blocks.blob(2), blocks.blob(3), c.count, {});
        blocks.reset();
        // The events that expire go (with their signal ids); the rest is written again as a chunk of its own.
        std::vector<std::pair<std::int64_t, LogRecord>> gone, kept;
        for (auto &row : rows)
            (row.second.ts < cutoff && row.second.received < cutoff ? gone : kept).push_back(std::move(row));
        forgetChunk(c.id, gone);
        perService[c.serviceId] += std::int64_t(gone.size());
        if (!kept.empty()) {
            Rows keep;
            for (const auto &[id, r] : kept)
                keep.emplace_back(id, &r);
            writeChunk(c.serviceId, std::move(keep));
        }
    }
    m_removed = 0;
    uncount(perService);
    dropEmptyKeyGroups();
    tx.commit();
    m_stats.logsStored -= m_removed;
    m_stats.retentionDeleted += m_removed;
    return int(candidates.size()) == kMaintenanceChunks;
}

void LogChunkWriter::restartCompaction()
{
    m_compactServices.clear();
    m_looked = false;
}

bool LogChunkWriter::compactStep()
{
    if (!m_looked) {
        // The literal 2048 lets SQLite read the v12 index of small chunks alone.
        static_assert(kSmallChunkEvents == 2048);
        Statement st(m_db.handle(), "SELECT service_id FROM log_chunks WHERE count < 2048 GROUP BY service_id HAVING count(*) >= 2");
        while (st.step())
            m_compactServices.push_back(st.int64(0));
        m_looked = true;
    }
    if (!m_compactServices.empty()) {
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
    // Then the runs of key filters, so that trace lookups do not scan the merged chunks' filters one by one.
    return (m_runsMayBeSparse && dissolveSparseRun()) || groupKeyFilters();
}

bool LogChunkWriter::mergeSmallChunks(std::int64_t sid)
{
    // Oldest event time first, the first run of consecutive small chunks that is due: at least two that
    // hold kSmallChunkEvents events or are kMergeChunks, or that the next one would take past kChunkEvents
    // events or kMergeSpanNs (a run is complete then; the newest run waits for more).
    Statement st(m_db.handle(), "SELECT id, count, min_ts, max_ts FROM log_chunks WHERE service_id = ?1 AND count < 2048"
                                " ORDER BY min_ts LIMIT 16384");
    st.bind(1, sid);
    std::vector<std::int64_t> members;
    std::size_t total = 0;
    TimeNs from = 0, to = 0;
    bool complete = false;
    auto due = [&] {
        return members.size() >= 2 && (complete || total >= kSmallChunkEvents || members.size() >= kMergeChunks);
    };
    while (st.step()) {
        const auto count = std::size_t(st.int64(1));
        const TimeNs minTs = st.int64(2), maxTs = st.int64(3);
        if (!members.empty() && (total + count > kChunkEvents || std::max(to, maxTs) - from > kMergeSpanNs)) {
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
    // Chosen outside the transaction: this thread is the only writer. A service with nothing due takes no
    // write lock.
    Transaction tx(m_db);
    std::vector<std::pair<std::int64_t, LogRecord>> events;
    events.reserve(total);
    Statement blocks(m_db.handle(), "SELECT count, keys, fields, messages, attributes FROM log_chunks WHERE id=?");
    for (std::int64_t id : members) {
        blocks.bind(1, id);
        if (!blocks.step())
            throw ChunkCorrupt();
        for (auto &row : decodeLogChunkRows(blocks.blob(1), blocks.blob(2), blocks.blob(3), blocks.blob(4),
                                            int(blocks.int64(0)), {}))
            events.push_back(std::move(row));
        blocks.reset();
    }
    Rows rows;
    rows.reserve(events.size());
    for (const auto &[id, r] : events)
        rows.emplace_back(id, &r);
    writeChunk(sid, std::move(rows));
    // The events keep their row ids, so their signal ids stay claimed as they are.
    for (std::int64_t id : members)
        forgetChunk(id, {});
    tx.commit();
    m_stats.chunksMerged += std::int64_t(members.size());
    m_runsMayBeSparse = true;
    return true;
}

bool LogChunkWriter::dissolveSparseRun()
{
    std::int64_t run = 0;
    std::uint32_t bits = 0, sliceBytes = 0;
    std::vector<std::int64_t> chunks;
    {
        Statement st(m_db.handle(), "SELECT id, bits, slice_bytes, chunks FROM log_key_groups WHERE id > ? ORDER BY id LIMIT 1");
        st.bind(1, m_runCursor);
        if (!st.step()) {
            m_runsMayBeSparse = false;
            m_runCursor = 0;
            return false;
        }
        run = st.int64(0);
        bits = std::uint32_t(st.int64(1));
        sliceBytes = std::uint32_t(st.int64(2));
        chunks = decodeKeyGroupChunks(st.blob(3));
    }
    m_runCursor = run;
    std::vector<std::size_t> live;
    Statement exists(m_db.handle(), "SELECT 1 FROM log_chunks WHERE id=?");
    for (std::size_t j = 0; j < chunks.size(); ++j) {
        exists.bind(1, chunks[j]);
        if (exists.step())
            live.push_back(j);
        exists.reset();
    }
    if (live.size() * 2 >= chunks.size())
        return true; // mostly alive: its filters stay where they are
    Transaction tx(m_db);
    if (!live.empty()) {
        std::string slices;
        Statement parts(m_db.handle(), "SELECT slices FROM log_key_slices WHERE id >= ?1 * ?2 AND id < (?1 + 1) * ?2 ORDER BY id");
        parts.bind(1, run).bind(2, kKeySliceParts);
        while (parts.step())
            slices += parts.blob(0);
        parts.reset();
        // A chunk with a filter of its own already (its id used again) keeps that one.
        Statement keep(m_db.handle(), "INSERT OR IGNORE INTO log_chunk_keys(chunk_id, bloom) VALUES(?,?)");
        for (std::size_t j : live) {
            const std::string filter = keyFilterOfGroupChunk(slices, bits, sliceBytes, j);
            if (filter.empty())
                continue;
            keep.bind(1, chunks[j]).bindBlob(2, filter).exec();
            m_ungroupedKeys += m_db.changes();
        }
    }
    Statement parts(m_db.handle(), "DELETE FROM log_key_slices WHERE id >= ?1 * ?2 AND id < (?1 + 1) * ?2");
    parts.bind(1, run).bind(2, kKeySliceParts).exec();
    Statement drop(m_db.handle(), "DELETE FROM log_key_groups WHERE id = ?");
    drop.bind(1, run).exec();
    tx.commit();
    return true;
}

// Merged chunks get new ids: the age of a chunk is that of its oldest event (expires_at), not its id.
TimeNs LogChunkWriter::oldestChunkReceived()
{
    Statement st(m_db.handle(), "SELECT min_received FROM log_chunks ORDER BY expires_at LIMIT 1");
    return st.step() ? st.int64(0) : std::numeric_limits<TimeNs>::max();
}

void LogChunkWriter::deleteOldest()
{
    Transaction tx(m_db);
    Statement st(m_db.handle(), "SELECT id, service_id, count, signals, keys, fields, messages, attributes FROM log_chunks"
                                " ORDER BY expires_at LIMIT 2");
    std::unordered_map<std::int64_t, std::int64_t> perService;
    for (const ChunkRow &c : readChunks(st)) {
        forgetChunk(c.id, c.hasSignals ? c.rows() : std::vector<std::pair<std::int64_t, LogRecord>>{});
        perService[c.serviceId] += c.count;
    }
    m_removed = 0;
    uncount(perService);
    dropEmptyKeyGroups();
    tx.commit();
    m_stats.logsStored -= m_removed;
    m_stats.retentionDeleted += m_removed;
}

std::int64_t LogChunkWriter::forgetServices(const std::vector<std::int64_t> &serviceIds)
{
    Statement st(m_db.handle(), "SELECT id, service_id, count, signals, keys, fields, messages, attributes FROM log_chunks"
                                " WHERE service_id=?");
    std::int64_t removed = 0;
    for (std::int64_t sid : serviceIds) {
        st.bind(1, sid);
        for (const ChunkRow &c : readChunks(st)) {
            forgetChunk(c.id, c.hasSignals ? c.rows() : std::vector<std::pair<std::int64_t, LogRecord>>{});
            removed += c.count;
        }
        m_staged.erase(sid);
        m_groupStaged.erase(sid);
        m_group.erase(sid);
    }
    dropEmptyKeyGroups();
    return removed;
}

std::int64_t LogChunkWriter::maxId() { return m_db.queryInt("SELECT coalesce(max(max_id), 0) FROM log_chunks"); }

} // namespace fg
