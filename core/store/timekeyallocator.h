#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "model/timestamp.h"

namespace fg {

class SqliteDb;
class Statement;

// Hands out time-ordered row ids ((ms << 20) | seq, see schema.h) for one table. Lives on the writer thread.
// In-order traffic (the common case) only compares with the highest id handed out so far: those ids are
// unique by construction. A millisecond below it (backfill, replays, skewed clients) gets an optimistic
// sequence from a running counter, which can collide with a stored row; the writer then asks exact(),
// which looks the millisecond up in the table.
class TimeKeyAllocator final {
public:
    TimeKeyAllocator(SqliteDb &db, const std::string &table);
    ~TimeKeyAllocator();

    std::int64_t allocate(TimeNs ts);
    // A certainly unused id in ts's millisecond (or a later one if that is full), after a collision.
    std::int64_t exact(TimeNs ts);
    // After a rolled-back transaction the remembered sequences may point past rows that do not exist:
    // harmless gaps, but forget them so the map stays small.
    void forget() { m_next.clear(); }

private:
    std::unique_ptr<Statement> m_maxInMs;
    std::int64_t m_maxMs = -1; // millisecond of the highest id in the table or handed out
    std::int64_t m_maxSeq = 0; // next sequence in m_maxMs
    std::int64_t m_counter = 0; // optimistic sequences below m_maxMs
    std::unordered_map<std::int64_t, std::int64_t> m_next; // ms → next seq
};

} // namespace fg
