#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/records.h"
#include "storestats.h"

namespace fg {

class SqliteDb;
class Statement;

// Writes committed log events as chunks (logchunkcodec.h) or staged rows, seals staged rows into chunks,
// and applies retention and the size cap to chunks. Lives on the writer thread and uses its connection;
// every write happens inside a transaction the writer opened, or (sealing, retention) in its own.
class LogChunkWriter final {
public:
    // Events of one service per chunk, at most.
    static constexpr std::size_t kChunkEvents = 4096;
    // A commit group with fewer events of a service than this stages them instead of writing a chunk.
    static constexpr std::size_t kDirectChunkEvents = 64;
    // Chunks whose key filters are bit-sliced together (log_key_groups).
    static constexpr std::size_t kKeyGroupChunks = 256;
    // Staged rows are sealed once they have waited this long.
    static constexpr TimeNs kSealAfterNs = 10 * kNsPerSec;
    // Chunks with fewer events are small: each costs a filter, a row and a page's unused tail that a full
    // chunk shares among 4096 events, and compresses worse (the schema v12 index lists them).
    static constexpr std::size_t kSmallChunkEvents = 2048;
    // A service's consecutive small chunks are merged into chunks of at most kChunkEvents events spanning at
    // most kMergeSpanNs of event time, once they hold kSmallChunkEvents events, are kMergeChunks or are as
    // many as fit. The span: a query over many services decodes each one's chunks back to the oldest event
    // it keeps, so a quiet service's chunk spanning hours costs every recent query (50 services × 7 days,
    // chunks of up to 4096 events: errors of the last day 9 → 58 ms, retention of a day 0.5 → 1.2 s).
    static constexpr std::size_t kMergeChunks = 16;
    static constexpr TimeNs kMergeSpanNs = 30 * 60 * kNsPerSec;

    LogChunkWriter(SqliteDb &db, StoreStats &stats);
    ~LogChunkWriter();
    LogChunkWriter(const LogChunkWriter &) = delete;
    LogChunkWriter &operator=(const LogChunkWriter &) = delete;

    // An event of the job being inserted, with its row id. The record must live until writeGroup().
    void add(std::int64_t serviceId, std::int64_t id, const LogRecord &record);
    void keepJob();  // the job's savepoint was released
    void dropJob();  // the job was rolled back
    // Writes the group's kept events, inside the group's transaction.
    void writeGroup();
    void groupCommitted();
    void groupFailed();
    // Seals the staged rows of one service that is due into a chunk, in its own transaction. True when
    // more services are due.
    bool sealStep(TimeNs now);
    // Bit-slices the key filters of the oldest kKeyGroupChunks chunks not in a run yet into one, in its own
    // transaction, when that many wait; whether it did.
    bool groupKeyFilters();
    // One step of the compaction, for an idle writer: merges small chunks of one service (oldest event
    // time first) into one (see kMergeChunks); with none left to merge, looks at one run of key
    // filters and, when most of its chunks are gone, puts the filters of the rest back among the chunks not
    // in a run (to be run again with others) and drops it; then makes runs of the filters not in one.
    // Each in its own transaction; true while more remains.
    bool compactStep();
    // New chunks were written: the next compactStep looks for small chunks again.
    void restartCompaction();
    // Removes events whose event time and receive time are both before `cutoff`, a bounded batch of chunks
    // in one transaction. True when more may remain.
    bool expire(TimeNs cutoff);
    // Receive time of the oldest chunk (by arrival), or max when there is none.
    TimeNs oldestChunkReceived();
    // Deletes the oldest chunks (a bounded batch) for the size cap.
    void deleteOldest();
    std::int64_t maxId();
    // Deletes every chunk of these services with the signal ids their events claimed, and forgets their
    // staged and not yet written events (the caller deletes their staged rows); the events removed.
    std::int64_t forgetServices(const std::vector<std::int64_t> &serviceIds);
    // Counts the staged rows again (after rows were deleted from staging by retention or the size cap).
    void recountStaged();

private:
    struct Staged {
        std::int64_t count = 0;
        TimeNs oldestReceived = 0;
    };
    using Rows = std::vector<std::pair<std::int64_t, const LogRecord *>>;
    void writeChunk(std::int64_t serviceId, Rows rows);
    void stageRow(std::int64_t serviceId, std::int64_t id, const LogRecord &r);
    // Deletes a chunk and the signal ids of `gone` (its events that claimed one).
    void forgetChunk(std::int64_t chunkId, const std::vector<std::pair<std::int64_t, LogRecord>> &gone);
    // Drops the runs of key filters none of whose chunks is left.
    void dropEmptyKeyGroups();
    // Merges the service's oldest small chunks that are due together; whether it did.
    bool mergeSmallChunks(std::int64_t serviceId);
    // Looks at the next run of key filters after m_runCursor; false when none is left.
    bool dissolveSparseRun();
    // Takes deleted events off their services' counts (and adds them to m_removed).
    void uncount(const std::unordered_map<std::int64_t, std::int64_t> &perService);

    SqliteDb &m_db;
    StoreStats &m_stats;
    std::unique_ptr<Statement> m_insertChunk, m_insertKeys, m_insertStaged, m_deleteSignal, m_deleteChunk, m_deleteKeys;
    std::vector<std::pair<std::int64_t, std::pair<std::int64_t, const LogRecord *>>> m_job;
    std::unordered_map<std::int64_t, Rows> m_group;
    std::unordered_map<std::int64_t, Staged> m_staged;       // committed staging rows per service
    std::unordered_map<std::int64_t, Staged> m_groupStaged;  // staged by the open group
    std::int64_t m_removed = 0;
    std::int64_t m_ungroupedKeys = 0; // rows of log_chunk_keys (an estimate: a rolled back chunk stays counted)
    std::vector<std::int64_t> m_compactServices; // services with small chunks to look into, from the last look
    bool m_looked = false; // in this round of compaction (since the last restartCompaction)
    bool m_runsMayBeSparse = true; // chunks were merged (or the store opened) since the runs were last looked at
    std::int64_t m_runCursor = 0;
};

} // namespace fg
