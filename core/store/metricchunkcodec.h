#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/records.h"

namespace fg {

// Metric points of one service in one block (schema v13, metric_chunks): ordered by series, event time and
// id, each column delta-encoded (series, time, id, receive time as zigzag varints; values as the XOR with the
// series' previous value, byte by byte in planes; signal ids as length and bytes), then one zstd frame.
// A point costs a few bytes instead of a row and two index entries (the writer was saturated by those).

struct MetricChunkPoint {
    std::int64_t id = 0;
    std::int64_t seriesId = 0;
    TimeNs ts = 0;
    TimeNs received = 0;
    double value = 0;
    std::string signalId;
};

struct EncodedMetricChunk {
    std::string block;
    int count = 0;
    int signalCount = 0; // points with a signal id (their idempotency keys go with the chunk)
    TimeNs minTs = 0, maxTs = 0, minReceived = 0, maxReceived = 0;
    // The earliest retention cutoff that removes one of the points: the greatest of event and receive time
    // of the point for which that is least.
    TimeNs expiresAt = 0;
    std::int64_t minId = 0, maxId = 0;
    std::uint64_t seriesMask = 0;
};

// A bit per series (of 64) in a chunk's series_mask: a query for some series skips chunks holding none.
inline std::uint64_t metricSeriesBit(std::int64_t seriesId)
{
    return std::uint64_t(1) << ((std::uint64_t(seriesId) * 0x9E3779B97F4A7C15ull) >> 58);
}

// At least one point. Sorts them (series, event time, id).
EncodedMetricChunk encodeMetricChunk(std::vector<MetricChunkPoint> points);
// Throws ChunkCorrupt when the block does not hold `count` points.
std::vector<MetricChunkPoint> decodeMetricChunk(std::string_view block, int count);

} // namespace fg
