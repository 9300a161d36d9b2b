#pragma once

// Log store v2: how a log chunk is laid out.
//
// The events of one service over a short span become one `log_chunks` row (schema v9) instead of one row
// each. The row carries what lets a query skip it without decompressing anything — service, min/max event
// time, min/max row id, oldest/newest receive time, a bitmask of the levels present, a trigram bloom filter
// of the lowercased messages (for `q=`); a bloom filter of its trace ids and tags sits in `log_chunk_keys`
// (bit-sliced into `log_key_groups` runs later, schema v11) — and four zstd-compressed column blocks,
// decompressed only when a query needs them:
//   keys:       row ids, event times (sorted, delta-encoded), receive times (relative to the event), levels
//   fields:     level as sent, latency, status, endpoint/method/trace/tags (dictionary-encoded), span and
//               signal ids
//   messages, attributes: length-prefixed strings
// Format 2 (schema v11; each block says which format it is, so format 1 chunks still read) keeps the
// blocks and changes what is in them: a stream per key and event time steps over their common divisor;
// messages and attributes split into words, a column per word position; word columns and fields
// dictionary-encoded with bit-packed indices, or as numbers in a template ("latency=12.50ms ") bit-packed,
// the packed bits stored after the zstd frame (zstd would not shrink them). On the corpus that is
// 20 bytes an event less than format 1.
// Events keep the row id the writer gave them at commit: cursors (event time, id), commit-order reads and
// idempotent signal ids are unchanged. Durability is unchanged too: the writer puts a request's events
// either straight into chunks (when a commit group holds enough of one service) or into the small staging
// table `logs` (today's row layout), in the same transaction that acknowledges them; sealing moves staged
// rows of a service into a chunk once it has enough of them or they have waited long enough. A v8 database
// is read as-is: its rows are staged rows, sealed in the background a chunk at a time (each seal is one
// transaction, so a restart resumes where it stopped). Retention drops chunks whose events have all
// expired and rewrites the few that straddle the cutoff.

#include <array>
#include <cstdint>
#include <optional>
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

// Events of one service, with their row ids; sorted here by (event time, id).
EncodedLogChunk encodeLogChunk(std::vector<std::pair<std::int64_t, const LogRecord *>> rows);

LogChunkKeys decodeLogChunkKeys(std::string_view block, int count);
LogChunkFields decodeLogChunkFields(std::string_view block, int count);
// The trace ids of a fields block (of format 2 without decoding the other fields).
StringColumn decodeLogChunkTraceIds(std::string_view block, int count);
StringColumn decodeLogChunkStrings(std::string_view block, int count);

// Every event of a chunk with its row id, in the chunk's order (event time, id).
std::vector<std::pair<std::int64_t, LogRecord>> decodeLogChunkRows(std::string_view keys, std::string_view fields,
                                                                   std::string_view messages,
                                                                   std::string_view attributes, int count,
                                                                   const std::string &service);

// Whether a chunk may hold a message containing `needle` (case-insensitive); false only when it cannot.
bool textBloomMayContain(std::string_view bloom, std::string_view needle);

// The key filter of a chunk holds a token per trace id and tag of its events. A tag with a comma has no
// token (no filter can rule it out).
std::uint64_t traceToken(std::string_view traceId);
std::optional<std::uint64_t> tagToken(std::string_view tag);
// Whether a chunk's key filter may hold the token.
bool keyBloomMayContain(std::string_view bloom, std::uint64_t token);

// The key filters of a run of chunks, bit-sliced (schema v11, log_key_groups): for each of `bits` filter
// positions a slice of `sliceBytes` bytes whose bit j is that position of chunk j's filter, so that a
// lookup reads kKeyFilterProbes slices per token, not every chunk's filter. Filters of other sizes are
// folded onto `bits` (ORing their halves, more false positives) or repeated (none more).
constexpr int kKeyFilterProbes = 4;
struct KeyFilterGroup {
    std::uint32_t bits = 0, sliceBytes = 0;
    std::string chunks; // the chunk ids, ascending, as delta varints
    std::string slices;
};
// Rows of log_key_slices a run may have: their ids are the run's id times this plus the part.
constexpr std::int64_t kKeySliceParts = 4096;
// The chunks' ids ascending, with their filters.
KeyFilterGroup groupKeyFilters(const std::vector<std::int64_t> &chunkIds, const std::vector<std::string_view> &blooms);
std::vector<std::int64_t> decodeKeyGroupChunks(std::string_view chunks);
// The filter of a run's `chunk`-th chunk taken back out of the run's slices (all its parts in order):
// `bits` positions, as it sits in the run (folded or repeated); empty when it holds no token.
std::string keyFilterOfGroupChunk(std::string_view slices, std::uint32_t bits, std::uint32_t sliceBytes, std::size_t chunk);
// The slices a token's bits are in, for a group of `bits` positions.
std::array<std::uint32_t, kKeyFilterProbes> keyFilterPositions(std::uint64_t token, std::uint32_t bits);

inline std::uint32_t levelBit(Level level) { return 1u << (unsigned(level) & 31u); }
// Mask of every level at or above `minLevel`.
std::uint32_t levelsAtLeast(Level minLevel);

} // namespace fg
