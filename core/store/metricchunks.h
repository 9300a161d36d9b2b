#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "metricchunkcodec.h"
#include "storereader.h"
#include "storestats.h"

struct sqlite3;

namespace fg {

class SqliteDb;
class Statement;

// Writes metric points as chunks (metricchunkcodec.h, schema v13) and applies retention and the size cap to
// them. Lives on the writer thread and uses its connection; write() and forgetServices() run inside the
// writer's transaction, expire() and deleteOldest() in their own.
class MetricChunkWriter final {
public:
    // Points per chunk, at most (a larger job's points of one service make several).
    static constexpr std::size_t kChunkPoints = 8192;
    // Chunks with fewer points are small (schema v13 index): a service sending a few points a request makes
    // one per request, and a query over days decodes thousands of them. A service's consecutive small
    // chunks are merged, like log chunks (LogChunkWriter::kMergeSpanNs), into chunks of at most
    // kChunkPoints points spanning at most kMergeSpanNs, once they hold kSmallChunkPoints points, are
    // kMergeChunks or are as many as fit.
    static constexpr std::size_t kSmallChunkPoints = 1024;
    static constexpr std::size_t kMergeChunks = 64;
    static constexpr TimeNs kMergeSpanNs = 30 * 60 * kNsPerSec;

    MetricChunkWriter(SqliteDb &db, StoreStats &stats);
    ~MetricChunkWriter();
    MetricChunkWriter(const MetricChunkWriter &) = delete;
    MetricChunkWriter &operator=(const MetricChunkWriter &) = delete;

    // One job's points of one service, with their ids.
    void write(std::int64_t serviceId, std::vector<MetricChunkPoint> points);
    // Removes points whose event time and receive time are both before `cutoff`, a bounded batch of
    // chunks in one transaction. True when more may remain.
    bool expire(TimeNs cutoff);
    // Receive time of the first point of the chunk the size cap would delete next, or max when none.
    TimeNs oldestReceived();
    // Deletes the oldest chunks (a bounded batch) for the size cap.
    void deleteOldest();
    std::int64_t maxId();
    // Deletes every chunk of these services with the signal ids their points claimed; the points removed.
    std::int64_t forgetServices(const std::vector<std::int64_t> &serviceIds);
    // One step of the compaction, for an idle writer: merges small chunks of one service (oldest event time
    // first) into one, in its own transaction; true while more remains.
    bool compactStep();
    // New chunks were written: the next compactStep looks for small chunks again.
    void restartCompaction();

private:
    // Deletes a chunk and the idempotency keys of `gone` (points of it that claimed one).
    void forgetChunk(std::int64_t chunkId, const std::vector<MetricChunkPoint> &gone);
    // Lowers the services' point counts (inside the transaction); the points removed.
    std::int64_t uncount(const std::unordered_map<std::int64_t, std::int64_t> &perService);
    // After the commit: the stored total and the retention count follow.
    void removed(std::int64_t points);

    // Merges the first run of small chunks of a service that is due; whether there was one.
    bool mergeSmallChunks(std::int64_t serviceId);

    SqliteDb &m_db;
    StoreStats &m_stats;
    std::unique_ptr<Statement> m_insert, m_deleteChunk, m_deleteSignal;
    std::vector<std::int64_t> m_compactServices; // services with small chunks, still to look at
    bool m_looked = false;
};

// Reads metric chunks for the queries of SqliteStoreReader (which adds the rows of `metric_points` that
// databases before version 13 hold). On the reader's thread and connection, inside its read transaction.
class MetricChunkReader final {
public:
    // Series of the query (q.name set) to keep; without a name every series of the chunks read is wanted.
    struct SeriesFilter {
        bool all = true;
        std::unordered_set<std::int64_t> ids;
        std::uint64_t mask = 0;
    };

    MetricChunkReader(sqlite3 *db, std::function<void()> checkInterrupt);
    ~MetricChunkReader();

    // The newest `keep` points of the window (cursor included) of one service or all, with `points` (the
    // other source's) among them; newest first.
    void newest(const TimeWindow &w, std::optional<std::int64_t> serviceId, const SeriesFilter &series, std::size_t keep,
                std::vector<StoredPoint> &points);
    // Points with ids in (afterId, throughId], at most `limit` of the lowest, in any order.
    std::vector<StoredPoint> inCommitOrder(std::int64_t afterId, std::int64_t throughId, int limit);

    struct Aggregate {
        double sum = 0, min = 0, max = 0;
        std::int64_t count = 0;
        void add(double v);
        void merge(double sum, double min, double max, std::int64_t count);
    };
    // (series id, bucket number) → aggregate, the lowest keys kept up to `maxBuckets`.
    using Buckets = std::map<std::pair<std::int64_t, std::int64_t>, Aggregate>;
    void buckets(TimeNs from, TimeNs to, TimeNs step, std::optional<std::int64_t> serviceId, const SeriesFilter &series,
                 std::size_t maxBuckets, Buckets &out);

    // Name, type, tags and service of a series into the sample (remembered for this reader's life).
    void describe(std::int64_t seriesId, MetricSample &sample);

private:
    struct SeriesInfo {
        std::string service, name, tags;
        MetricType type = MetricType::Gauge;
    };
    StoredPoint stored(const MetricChunkPoint &p);

    sqlite3 *m_db;
    std::function<void()> m_checkInterrupt;
    std::unordered_map<std::int64_t, SeriesInfo> m_series;
    std::unique_ptr<Statement> m_describe;
};

} // namespace fg
