#pragma once

// Log store v2: how a log chunk is laid out.
//
// The events of one service over a short span become one `log_chunks` row (schema v9) instead of one row
// each. The row carries what lets a query skip it without decompressing anything — service, min/max event
// time, min/max row id, oldest/newest receive time, a bitmask of the levels present, a trigram bloom filter
// of the lowercased messages (for `q=`); a bloom filter of its trace ids and tags sits in `log_chunk_keys` —
// and four zstd-compressed column blocks, decompressed only when a query needs them:
//   keys:       row ids, event times (sorted, delta-encoded), receive times (relative to the event), levels
//   fields:     level as sent, latency, status, endpoint/method/trace/tags (dictionary-encoded), span and
//               signal ids
//   messages, attributes: length-prefixed strings
// Events keep the row id the writer gave them at commit: cursors (event time, id), commit-order reads and
// idempotent signal ids are unchanged. Durability is unchanged too: the writer puts a request's events
// either straight into chunks (when a commit group holds enough of one service) or into the small staging
// table `logs` (today's row layout), in the same transaction that acknowledges them; sealing moves staged
// rows of a service into a chunk once it has enough of them or they have waited long enough. A v8 database
// is read as-is: its rows are staged rows, sealed in the background a chunk at a time (each seal is one
// transaction, so a restart resumes where it stopped). Retention drops chunks whose events have all
// expired and rewrites the few that straddle the cutoff.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/records.h"

namespace fg {

// One chunk as stored (the blobs compressed).
struct EncodedLogChunk {
    TimeNs minTs = 0, maxTs = 0, minReceived = 0, maxReceived = 0;
    TimeNs expiresAt = 0; // the smallest max(event time, receive time) of its events
    std::int64_t minId = 0, maxId = 0;
    int count = 0;
    int signalCount = 0; // events that carry a signal id
    std::uint32_t levelMask = 0;
    std::string keyBloom, textBloom, keys, fields, messages, attributes;
};

// Strings of one column, one after another.
struct StringColumn {
    std::string data;
    std::vector<std::uint32_t> ends;
    std::string_view at(std::size_t i) const
    {
        const std::uint32_t begin = i ? ends[i - 1] : 0;
        return std::string_view(data).substr(begin, ends[i] - begin);
    }
};

struct LogChunkKeys {
    std::vector<std::int64_t> ids;
    std::vector<TimeNs> ts;
    std::vector<TimeNs> received;
    std::vector<std::uint8_t> levels;
};

struct LogChunkFields {
    StringColumn levelRaw, endpoint, method, traceId, spanId, signalId, tags;
    std::vector<double> latency;
    std::vector<int> status;
};

// Thrown when a stored block cannot be decoded (a damaged file).
class LogChunkCorrupt final : public std::runtime_error {
public:
    LogChunkCorrupt() : std::runtime_error("damaged log chunk") {}
};

// Events of one service, with their row ids; sorted here by (event time, id).
EncodedLogChunk encodeLogChunk(std::vector<std::pair<std::int64_t, const LogRecord *>> rows);

LogChunkKeys decodeLogChunkKeys(std::string_view block, int count);
LogChunkFields decodeLogChunkFields(std::string_view block, int count);
StringColumn decodeLogChunkStrings(std::string_view block, int count);

// Every event of a chunk with its row id, in the chunk's order (event time, id).
std::vector<std::pair<std::int64_t, LogRecord>> decodeLogChunkRows(std::string_view keys, std::string_view fields,
                                                                   std::string_view messages,
                                                                   std::string_view attributes, int count,
                                                                   const std::string &service);

// Whether a chunk may hold a message containing `needle` (case-insensitive); false only when it cannot.
bool textBloomMayContain(std::string_view bloom, std::string_view needle);
// Every event of a chunk with its row id, in the chunk's order (event time, id).
std::vector<std::pair<std::int64_t, LogRecord>> decodeLogChunkRows(std::string_view keys, std::string_view fields,
                                                                   std::string_view messages,
                                                                   std::string_view attributes, int count,
                                                                   const std::string &service);

// Whether a chunk may hold an event of trace `traceId` (exact) or with tag `tag`.
bool keyBloomMayContainTrace(std::string_view bloom, std::string_view traceId);
bool keyBloomMayContainTag(std::string_view bloom, std::string_view tag);

inline std::uint32_t levelBit(Level level) { return 1u << (unsigned(level) & 31u); }
// Mask of every level at or above `minLevel`.
std::uint32_t levelsAtLeast(Level minLevel);

} // namespace fg
