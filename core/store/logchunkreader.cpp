#include "logchunkreader.h"

#include <algorithm>
#include <map>
#include <queue>

#include <QString>

#include "chunkbytes.h"
#include "logchunkcodec.h"
#include "sqlitedb.h"

namespace fg {

namespace {

char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool newer(const LogChunkReader::Hit &a, const LogChunkReader::Hit &b)
{
    return a.ts != b.ts ? a.ts > b.ts : a.id > b.id;
}

// Keeps the newest `keep` hits; the oldest of them on top.
class NewestHits {
public:
    explicit NewestHits(std::size_t keep) : m_keep(keep) {}
    bool full() const { return m_heap.size() >= m_keep; }
    const LogChunkReader::Hit &oldest() const { return m_heap.top(); }
    void offer(LogChunkReader::Hit hit)
    {
        if (m_keep == 0)
            return;
        if (full()) {
            if (!newer(hit, m_heap.top()))
                return;
            m_heap.pop();
        }
        m_heap.push(std::move(hit));
    }
    std::vector<LogChunkReader::Hit> take()
    {
        std::vector<LogChunkReader::Hit> out;
        out.reserve(m_heap.size());
        while (!m_heap.empty()) {
            out.push_back(std::move(const_cast<LogChunkReader::Hit &>(m_heap.top())));
            m_heap.pop();
        }
        return out;
    }

private:
    struct Cmp {
        bool operator()(const LogChunkReader::Hit &a, const LogChunkReader::Hit &b) const { return newer(a, b); }
    };
    std::size_t m_keep;
    std::priority_queue<LogChunkReader::Hit, std::vector<LogChunkReader::Hit>, Cmp> m_heap;
};

} // namespace

bool containsIgnoringCase(std::string_view hay, std::string_view needle)
{
    if (needle.empty())
        return true;
    bool ascii = true;
    for (unsigned char c : needle)
        ascii = ascii && c < 0x80;
    if (ascii)
        return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(),
                           [](char a, char b) { return asciiLower(a) == asciiLower(b); })
               != hay.end();
    return QString::fromUtf8(hay.data(), qsizetype(hay.size()))
        .contains(QString::fromUtf8(needle.data(), qsizetype(needle.size())), Qt::CaseInsensitive);
}

LogChunkReader::LogChunkReader(sqlite3 *db, std::function<void()> checkInterrupt)
    : m_db(db), m_checkInterrupt(std::move(checkInterrupt))
{
}

void LogChunkReader::newest(const LogQuery &q, std::optional<std::int64_t> sid, std::size_t keep,
                            std::vector<Hit> &hits)
{
    NewestHits best(keep);
    for (Hit &h : hits)
        best.offer(std::move(h));
    hits.clear();
    const TimeWindow &w = q.window;
    const TimeNs upper = w.after ? std::min(w.to, w.after->ts) : w.to;
    const std::uint32_t wanted = q.minLevel == Level::Unknown ? ~0u : levelsAtLeast(q.minLevel);
    const std::string tagNeedle = "," + q.tag + ",";
    // A chunk's blocks one statement each: a statement copies every column it selects, and the messages
    // are most of a chunk's bytes while a trace lookup's candidates need only the trace ids, and most
    // queries only the keys.
    Statement keysOf(m_db, "SELECT keys FROM log_chunks WHERE id=?");
    Statement fieldsOf(m_db, "SELECT fields FROM log_chunks WHERE id=?");
    Statement messagesOf(m_db, "SELECT messages FROM log_chunks WHERE id=?");
    auto blockOf = [](Statement &st, std::int64_t chunkId) -> std::optional<std::string_view> {
        st.bind(1, chunkId);
        if (st.step())
            return st.blob(0);
        st.reset();
        return std::nullopt;
    };
    // One chunk's matching events into `best`; false once no chunk with this newest event or older can add one.
    auto consider = [&](std::int64_t chunkId, TimeNs maxTs, std::uint32_t levels, int count, std::string_view textBloom) {
        if (best.full() && best.oldest().ts > maxTs)
            return false;
        if (!(levels & wanted) || (!q.contains.empty() && !textBloomMayContain(textBloom, q.contains)))
            return true;
        if (m_checkInterrupt)
            m_checkInterrupt();
        if (!q.traceId.empty()) { // most candidates of a trace lookup are its filters' false positives
            const auto fields = blockOf(fieldsOf, chunkId);
            if (!fields)
                return true;
            const StringColumn traces = decodeLogChunkTraceIds(*fields, count);
            fieldsOf.reset();
            bool any = false;
            for (std::size_t i = 0; i < std::size_t(count) && !any; ++i)
                any = traces.at(i) == q.traceId;
            if (!any)
                return true;
        }
        const auto keyBlock = blockOf(keysOf, chunkId);
        if (!keyBlock)
            return true;
        const LogChunkKeys keys = decodeLogChunkKeys(*keyBlock, count);
        keysOf.reset();
        std::vector<int> rows;
        for (int i = 0; i < count; ++i) {
            const std::size_t k = std::size_t(i);
            const TimeNs ts = keys.ts[k];
            if (ts < w.from || ts > w.to)
                continue;
            if (w.after && !(ts < w.after->ts || (ts == w.after->ts && keys.ids[k] < w.after->id)))
                continue;
            if (q.minLevel != Level::Unknown && keys.levels[k] < std::uint8_t(q.minLevel))
                continue;
            if (best.full() && !newer(Hit{ts, keys.ids[k], 0, 0, {}}, best.oldest()))
                continue;
            rows.push_back(i);
        }
        if (!rows.empty() && (!q.traceId.empty() || !q.tag.empty())) {
            const auto fields = blockOf(fieldsOf, chunkId);
            if (!fields)
                return true;
            const LogChunkFields f = decodeLogChunkFields(*fields, count);
            fieldsOf.reset();
            rows.erase(std::remove_if(rows.begin(), rows.end(),
                                      [&](int i) {
                                          const std::size_t k = std::size_t(i);
                                          return (!q.traceId.empty() && f.traceId.at(k) != q.traceId)
                                                 || (!q.tag.empty() && f.tags.at(k).find(tagNeedle) == std::string_view::npos);
                                      }),
                       rows.end());
        }
        if (!rows.empty() && !q.contains.empty()) {
            const auto messages = blockOf(messagesOf, chunkId);
            if (!messages)
                return true;
            const StringColumn m = decodeLogChunkStrings(*messages, count);
            messagesOf.reset();
            rows.erase(std::remove_if(rows.begin(), rows.end(),
                                      [&](int i) { return !containsIgnoringCase(m.at(std::size_t(i)), q.contains); }),
                       rows.end());
        }
        for (int i : rows)
            best.offer(Hit{keys.ts[std::size_t(i)], keys.ids[std::size_t(i)], chunkId, i, {}});
        return true;
    };

    // The text filter only when a substring is searched (it is a few kilobytes a chunk).
    const char *textFilter = q.contains.empty() ? "x''" : "text_bloom";
    if (!q.traceId.empty() || !q.tag.empty()) {
        // A trace id or tag: the chunks whose key filters may hold it first, then only those.
        std::vector<std::uint64_t> tokens;
        if (!q.traceId.empty())
            tokens.push_back(traceToken(q.traceId));
        if (const auto tag = tagToken(q.tag); !q.tag.empty() && tag)
            tokens.push_back(*tag);
        struct Candidate {
            std::int64_t id;
            TimeNs maxTs;
        };
        std::vector<Candidate> candidates;
        Statement meta(m_db, "SELECT max_ts FROM log_chunks WHERE id=?1 AND max_ts >= ?2 AND min_ts <= ?3"
                             " AND (?4 IS NULL OR service_id = ?4)");
        for (std::int64_t id : keyCandidates(tokens)) {
            meta.bind(1, id).bind(2, w.from).bind(3, upper);
            sid ? meta.bind(4, *sid) : meta.bindNull(4);
            if (meta.step())
                candidates.push_back({id, meta.int64(0)});
            meta.reset();
        }
        std::sort(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) { return a.maxTs > b.maxTs; });
        Statement chunk(m_db, std::string("SELECT level_mask, count, ") + textFilter + " FROM log_chunks WHERE id=?");
        for (const Candidate &c : candidates) {
            chunk.bind(1, c.id);
            const bool found = chunk.step();
            const bool more = !found || consider(c.id, c.maxTs, std::uint32_t(chunk.int64(0)), int(chunk.int64(1)), chunk.blob(2));
            chunk.reset();
            if (!more)
                break;
        }
    } else {
        std::string sql = std::string("SELECT id, max_ts, level_mask, count, ") + textFilter + " FROM log_chunks WHERE";
        sql += sid ? " service_id = ?1 AND" : "";
        sql += " max_ts >= ?2 AND min_ts <= ?3 ORDER BY max_ts DESC";
        Statement chunks(m_db, sql);
        if (sid)
            chunks.bind(1, *sid);
        chunks.bind(2, w.from).bind(3, upper);
        // Chunks come newest maximum first: once the kept hits are all newer than one's newest event, no
        // later chunk can add one.
        while (chunks.step())
            if (!consider(chunks.int64(0), chunks.int64(1), std::uint32_t(chunks.int64(2)), int(chunks.int64(3)),
                          chunks.blob(4)))
                break;
    }
    hits = best.take();
    std::sort(hits.begin(), hits.end(), newer);
}

std::vector<std::int64_t> LogChunkReader::keyCandidates(const std::vector<std::uint64_t> &tokens)
{
    std::vector<std::int64_t> ids;
    // Runs of bit-sliced filters: per token, the slices of its bits ANDed give the run's chunks that may
    // hold it; a slice is read from the row of its part.
    {
        Statement runs(m_db, "SELECT id, bits, slice_bytes, part_bits, chunks FROM log_key_groups");
        Statement part(m_db, "SELECT slices FROM log_key_slices WHERE id=?");
        std::string match;
        while (runs.step()) {
            if (m_checkInterrupt)
                m_checkInterrupt();
            const std::int64_t bits = runs.int64(1), sliceBytes = runs.int64(2), partBits = runs.int64(3);
            const std::vector<std::int64_t> chunks = decodeKeyGroupChunks(runs.blob(4));
            if (bits <= 0 || bits > (1 << 20) || (bits & (bits - 1)) || partBits <= 0
                || sliceBytes != std::int64_t((chunks.size() + 7) / 8))
                throw ChunkCorrupt();
            match.assign(std::size_t(sliceBytes), char(0xff));
            for (std::uint64_t token : tokens)
                for (std::uint32_t p : keyFilterPositions(token, std::uint32_t(bits))) {
                    const std::int64_t n = std::int64_t(p) / partBits;
                    if (n >= kKeySliceParts)
                        throw ChunkCorrupt();
                    part.bind(1, runs.int64(0) * kKeySliceParts + n);
                    const std::string_view slices = part.step() ? part.blob(0) : std::string_view();
                    const auto at = std::size_t((std::int64_t(p) % partBits) * sliceBytes);
                    if (slices.size() < at + std::size_t(sliceBytes))
                        throw ChunkCorrupt();
                    for (std::size_t i = 0; i < match.size(); ++i)
                        match[i] = char(match[i] & slices[at + i]);
                    part.reset();
                }
            for (std::size_t j = 0; j < chunks.size(); ++j)
                if ((std::uint8_t(match[j / 8]) >> (j & 7)) & 1)
                    ids.push_back(chunks[j]);
        }
    }
    // Then the filters of the newest chunks, not in a run yet.
    Statement filters(m_db, "SELECT chunk_id, bloom FROM log_chunk_keys");
    while (filters.step())
        if (std::all_of(tokens.begin(), tokens.end(),
                        [&](std::uint64_t t) { return keyBloomMayContain(filters.blob(1), t); }))
            ids.push_back(filters.int64(0));
    // A chunk id may be in a run and have a filter of its own (an id used again after its chunk went).
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

void LogChunkReader::materialize(std::vector<Hit> &hits)
{
    std::map<std::int64_t, std::vector<Hit *>> byChunk;
    for (Hit &h : hits)
        if (h.chunk)
            byChunk[h.chunk].push_back(&h);
    Statement st(m_db, "SELECT (SELECT name FROM services WHERE id=service_id), count, keys, fields, messages,"
                       " attributes FROM log_chunks WHERE id=?");
    for (auto &[chunk, wanted] : byChunk) {
        st.bind(1, chunk);
        if (st.step()) {
            auto rows = decodeLogChunkRows(st.blob(2), st.blob(3), st.blob(4), st.blob(5), int(st.int64(1)),
                                           std::string(st.text(0)));
            for (Hit *h : wanted) {
                if (h->index < 0 || std::size_t(h->index) >= rows.size())
                    throw ChunkCorrupt();
                h->row.id = rows[std::size_t(h->index)].first;
                h->row.record = std::move(rows[std::size_t(h->index)].second);
            }
        }
        st.reset();
    }
}

std::optional<StoredLog> LogChunkReader::byId(std::int64_t id)
{
    // Chunks of different services overlap in id range: each one spanning the id is looked into.
    std::vector<Hit> hits;
    {
        Statement chunks(m_db, "SELECT id, count, keys FROM log_chunks WHERE max_id >= ?1 AND min_id <= ?1");
        chunks.bind(1, id);
        while (hits.empty() && chunks.step()) {
            if (m_checkInterrupt)
                m_checkInterrupt();
            const LogChunkKeys keys = decodeLogChunkKeys(chunks.blob(2), int(chunks.int64(1)));
            for (std::size_t k = 0; k < keys.ids.size(); ++k)
                if (keys.ids[k] == id) {
                    hits.push_back(Hit{keys.ts[k], id, chunks.int64(0), int(k), {}});
                    break;
                }
        }
    }
    if (hits.empty())
        return std::nullopt;
    materialize(hits);
    return std::move(hits.front().row);
}

std::vector<StoredLog> LogChunkReader::inCommitOrder(std::int64_t afterId, std::int64_t throughId, int limit)
{
    if (limit <= 0)
        return {};
    // The chunks in range first, without their blocks: sorted by SQLite, every block of every chunk up to
    // throughId went through its sorter, and the analysis catching up far behind read gigabytes a page.
    std::vector<std::pair<std::int64_t, std::int64_t>> inRange; // (min_id, chunk id)
    {
        Statement range(m_db, "SELECT min_id, id FROM log_chunks WHERE max_id > ?1 AND min_id <= ?2");
        range.bind(1, afterId).bind(2, throughId);
        while (range.step())
            inRange.emplace_back(range.int64(0), range.int64(1));
    }
    std::sort(inRange.begin(), inRange.end());
    Statement chunk(m_db, "SELECT (SELECT name FROM services WHERE id=service_id), count, keys, fields, messages,"
                          " attributes FROM log_chunks WHERE id=?");
    std::vector<StoredLog> out;
    for (const auto &[minId, chunkId] : inRange) {
        // Lowest first id first: once `limit` rows below this chunk's first are in, it adds none.
        if (int(out.size()) >= limit) {
            std::nth_element(out.begin(), out.begin() + limit - 1, out.end(),
                             [](const StoredLog &a, const StoredLog &b) { return a.id < b.id; });
            out.resize(std::size_t(limit));
            const auto highest = std::max_element(out.begin(), out.end(),
                                                  [](const StoredLog &a, const StoredLog &b) { return a.id < b.id; });
            if (highest->id < minId)
                break;
        }
        if (m_checkInterrupt)
            m_checkInterrupt();
        chunk.bind(1, chunkId);
        if (chunk.step())
            for (auto &[id, r] : decodeLogChunkRows(chunk.blob(2), chunk.blob(3), chunk.blob(4), chunk.blob(5),
                                                    int(chunk.int64(1)), std::string(chunk.text(0))))
                if (id > afterId && id <= throughId)
                    out.push_back({id, std::move(r)});
        chunk.reset();
    }
    std::sort(out.begin(), out.end(), [](const StoredLog &a, const StoredLog &b) { return a.id < b.id; });
    if (int(out.size()) > limit)
        out.resize(std::size_t(std::max(limit, 0)));
    return out;
}

} // namespace fg
