#pragma once

#include <string>

#include "storewriter.h"

namespace fg {

class LogChunkWriter;
class MetricChunkWriter;
class SqliteDb;

// Deletes every stored row of the services whose names start with `prefix` (demo data): their logs and
// metric points with their idempotency keys, series, KPI minutes, anomalies, templates, alerts with their
// transitions and outbox rows, incidents, and the services themselves. Runs inside the caller's
// transaction on the writer's connection; other services' rows are not touched.
// Their log chunks go through `chunks`, which also forgets their staged events, their metric chunks through
// `metricChunks`.
PurgeCounts purgeServices(SqliteDb &db, LogChunkWriter &chunks, MetricChunkWriter &metricChunks, const std::string &prefix);

} // namespace fg
