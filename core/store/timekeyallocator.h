#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "model/timestamp.h"

namespace fg {

class SqliteDb;
class Statement;

// Hands out unique time-ordered row ids ((ms << 20) | seq, see schema.h) for one table.
// Lives on the writer thread. Remembers the next sequence of recently used milliseconds and asks the
// table for the highest id in a millisecond it has not seen (backfills, restarts).
class TimeKeyAllocator final {
public:
    TimeKeyAllocator(SqliteDb &db, const std::string &table);
    ~TimeKeyAllocator();

    std::int64_t allocate(TimeNs ts);
    // After a rolled-back transaction the remembered sequences may point past rows that do not exist:
    // harmless gaps, but forget them so the map stays small.
    void forget() { m_next.clear(); }

private:
    std::unique_ptr<Statement> m_maxInMs;
    std::unordered_map<std::int64_t, std::int64_t> m_next; // ms → next seq
};

} // namespace fg
