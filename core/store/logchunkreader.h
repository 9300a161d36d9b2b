#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "storereader.h"

struct sqlite3;

namespace fg {

// Case-insensitive substring test of `q=`: a byte scan for ASCII needles, Unicode case folding otherwise.
bool containsIgnoringCase(std::string_view haystack, std::string_view needle);

// Reads log chunks (logchunkcodec.h) for the SQLite reader, on its thread and connection, inside the read
// transaction the reader holds so that chunks and staged rows come from one snapshot.
class LogChunkReader final {
public:
    // A matching event: staged rows arrive whole, chunk events as (chunk, index) until materialized.
    struct Hit {
        TimeNs ts = 0;
        std::int64_t id = 0;
        std::int64_t chunk = 0; // 0: `row` holds the event
        int index = 0;
        StoredLog row;
    };

    LogChunkReader(sqlite3 *db, std::function<void()> checkInterrupt);

    // Adds to `hits` the newest `keep` chunk events matching the query (events with the service id, when
    // given), keeping the newest `keep` of all hits. Chunks whose time range, level mask or filters rule
    // them out are not decompressed; only the blocks a filter needs are.
    void newest(const LogQuery &query, std::optional<std::int64_t> serviceId, std::size_t keep,
                std::vector<Hit> &hits);
    // Fills in the chunk events among `hits`.
    void materialize(std::vector<Hit> &hits);
    // The chunk event with this row id, if a chunk holds it.
    std::optional<StoredLog> byId(std::int64_t id);
    // Chunk events with afterId < id <= throughId, the lowest `limit` of them, ascending.
    std::vector<StoredLog> inCommitOrder(std::int64_t afterId, std::int64_t throughId, int limit);

private:
    // Ids of the chunks whose key filters may hold every token, ascending.
    std::vector<std::int64_t> keyCandidates(const std::vector<std::uint64_t> &tokens);

    sqlite3 *m_db;
    std::function<void()> m_checkInterrupt;
};

} // namespace fg
