#pragma once

#include <atomic>
#include <cstdint>

namespace fg {

// Counters the writer publishes for /api/health, the window and benchmarks. Written by the writer
// thread, read from anywhere.
struct StoreStats {
    std::atomic<std::int64_t> logsStored{0};    // rows now in the database
    std::atomic<std::int64_t> metricsStored{0}; // points now in the database
    std::atomic<std::int64_t> logsAppended{0};  // since start
    std::atomic<std::int64_t> metricsAppended{0};
    std::atomic<std::int64_t> duplicates{0};
    std::atomic<std::int64_t> commits{0};
    std::atomic<std::int64_t> jobsCommitted{0};
    std::atomic<std::int64_t> jobsFailed{0};
    std::atomic<std::int64_t> groupRetries{0}; // groups run again job by job after one of their jobs failed
    std::atomic<std::int64_t> queuedJobs{0};
    std::atomic<std::int64_t> walRestarts{0}; // times the writer started the WAL file over
    std::atomic<std::int64_t> retentionDeleted{0};
    std::atomic<std::int64_t> dbBytes{0};
    std::atomic<std::int64_t> walBytes{0};
    std::atomic<std::int64_t> lastLogId{0};   // newest committed row ids (rows are numbered in commit order)
    std::atomic<std::int64_t> lastPointId{0};
    std::atomic<std::int64_t> logsStaged{0}; // log rows not yet sealed into chunks (logchunkcodec.h)
    std::atomic<std::int64_t> chunksMerged{0}; // small log and metric chunks merged into larger ones (compaction), since start
    std::atomic<bool> compactionPending{false}; // small chunks wait for the writer to be idle to be merged
    std::atomic<bool> healthy{false};
    std::atomic<bool> diskFull{false}; // the last commit failed for want of disk space
};

} // namespace fg
