#pragma once

#include <cstdint>

#include "model/timestamp.h"

namespace fg {

class SqliteDb;

// Current schema version, kept in PRAGMA user_version.
constexpr int kSchemaVersion = 1;

// Brings a database to kSchemaVersion, one migration step per version, each in its own transaction.
// Throws SqliteError; refuses a database written by a newer FlowGuard.
void migrateSchema(SqliteDb &db);

// Row ids of logs and metric_points pack the event time and a sequence number:
// (event milliseconds << 20) | seq. Rows sort by time in the table b-tree itself, a time range is a
// rowid range, and the keyset cursor (time, id) is the id alone.
constexpr int kSeqBits = 20;
constexpr std::int64_t kSeqMask = (std::int64_t(1) << kSeqBits) - 1;
inline std::int64_t timeKeyFloor(TimeNs t) { return (t / kNsPerMs) << kSeqBits; }
inline TimeNs timeKeyToNs(std::int64_t id) { return (id >> kSeqBits) * kNsPerMs; }

} // namespace fg
