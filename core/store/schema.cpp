#include "schema.h"

#include <string>

#include "sqlitedb.h"

namespace fg {

namespace {

// Version 1. Dictionary tables hold service names and metric series. The two big tables are clustered in
// arrival order (the rowid only grows, so every insert appends to the right edge and a commit dirties a
// handful of pages even when clients send overlapping time ranges) and carry one small index each,
// (service or series, event time), which serves every time-range query. Clustering by event time was
// measured 3x slower: interleaved clients scatter each commit over many half-filled pages.
constexpr const char *kV1 = R"sql(
CREATE TABLE services(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  last_received INTEGER NOT NULL DEFAULT 0,
  log_count INTEGER NOT NULL DEFAULT 0,
  metric_count INTEGER NOT NULL DEFAULT 0);
CREATE TABLE logs(
  id INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  received INTEGER NOT NULL,
  service_id INTEGER NOT NULL,
  level INTEGER NOT NULL,
  level_raw TEXT,
  message TEXT,
  latency_ms REAL,
  status_code INTEGER,
  endpoint TEXT,
  method TEXT,
  trace_id TEXT,
  span_id TEXT,
  signal_id TEXT,
  attributes TEXT,
  tags TEXT);
CREATE INDEX logs_by_service_time ON logs(service_id, ts);
CREATE TABLE signal_ids(
  key TEXT PRIMARY KEY,
  row_id INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX signal_ids_by_row ON signal_ids(row_id);
CREATE TABLE metric_series(
  id INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  type INTEGER NOT NULL,
  tags TEXT NOT NULL,
  UNIQUE(service_id, name, tags));
CREATE TABLE metric_points(
  id INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  value REAL NOT NULL,
  received INTEGER NOT NULL,
  signal_id TEXT);
CREATE INDEX metric_points_by_series_time ON metric_points(series_id, ts);
)sql";

// Version 2: per-minute KPI rollups per service (endpoint '') and route, with the latency sketch.
// Kept apart from raw-log retention so history and restarts keep their baselines.
constexpr const char *kV2 = R"sql(
CREATE TABLE kpi_rollups(
  service_id INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  start INTEGER NOT NULL,
  events INTEGER NOT NULL,
  error_events INTEGER NOT NULL,
  requests INTEGER NOT NULL,
  request_errors INTEGER NOT NULL,
  latency BLOB,
  written INTEGER NOT NULL,
  PRIMARY KEY(service_id, endpoint, start)) WITHOUT ROWID;
)sql";

// Version 3: detected anomalies and degradations with their explanation.
constexpr const char *kV3 = R"sql(
CREATE TABLE anomalies(
  id INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  kind TEXT NOT NULL,
  metric TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  updated_at INTEGER NOT NULL,
  score REAL NOT NULL,
  signals TEXT NOT NULL,
  explanation TEXT NOT NULL,
  recommendation TEXT NOT NULL,
  written INTEGER NOT NULL,
  UNIQUE(service_id, endpoint, kind, metric, started_at));
CREATE INDEX anomalies_by_start ON anomalies(started_at);
)sql";

// Version 4: log templates per service and their counts per minute.
constexpr const char *kV4 = R"sql(
CREATE TABLE templates(
  service_id INTEGER NOT NULL,
  template_id INTEGER NOT NULL,
  template TEXT NOT NULL,
  sample TEXT NOT NULL,
  max_level INTEGER NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY(service_id, template_id)) WITHOUT ROWID;
CREATE TABLE template_counts(
  service_id INTEGER NOT NULL,
  template_id INTEGER NOT NULL,
  minute INTEGER NOT NULL,
  count INTEGER NOT NULL,
  written INTEGER NOT NULL,
  PRIMARY KEY(service_id, template_id, minute)) WITHOUT ROWID;
)sql";

// Version 5: settings documents edited over the API or in the window (detection, …).
constexpr const char *kV5 = R"sql(
CREATE TABLE settings(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated INTEGER NOT NULL) WITHOUT ROWID;
)sql";

// Version 6: alerting — rules (JSON documents), alerts with their transitions, silences, notification
// channels (without their secrets, which live in the keychain), and the outbox: one row per notification
// and channel, kept with its delivery state.
constexpr const char *kV6 = R"sql(
CREATE TABLE alert_rules(
  id INTEGER PRIMARY KEY,
  doc TEXT NOT NULL,
  updated INTEGER NOT NULL);
CREATE TABLE alerts(
  id INTEGER PRIMARY KEY,
  rule_id INTEGER NOT NULL,
  service TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  reason TEXT NOT NULL,
  level TEXT NOT NULL,
  state TEXT NOT NULL,
  pending_since INTEGER NOT NULL,
  fired_at INTEGER,
  resolved_at INTEGER,
  explanation TEXT NOT NULL,
  acknowledged_by TEXT,
  acknowledged_at INTEGER,
  ack_note TEXT,
  silenced INTEGER NOT NULL,
  test INTEGER NOT NULL,
  channels TEXT NOT NULL,
  updated INTEGER NOT NULL,
  incident_id INTEGER NOT NULL DEFAULT 0);
CREATE INDEX alerts_by_time ON alerts(pending_since);
CREATE INDEX alerts_by_incident ON alerts(incident_id);
CREATE TABLE incidents(
  id INTEGER PRIMARY KEY,
  service TEXT NOT NULL,
  title TEXT NOT NULL,
  severity TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  closed_at INTEGER,
  last_activity INTEGER NOT NULL,
  alert_count INTEGER NOT NULL,
  updated INTEGER NOT NULL);
CREATE INDEX incidents_by_time ON incidents(opened_at);
CREATE TABLE alert_transitions(
  alert_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  wall INTEGER NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL);
CREATE INDEX alert_transitions_by_alert ON alert_transitions(alert_id);
CREATE TABLE silences(
  id INTEGER PRIMARY KEY,
  doc TEXT NOT NULL,
  ends_at INTEGER NOT NULL);
CREATE TABLE channels(
  id INTEGER PRIMARY KEY,
  doc TEXT NOT NULL,
  updated INTEGER NOT NULL);
CREATE TABLE outbox(
  id INTEGER PRIMARY KEY,
  alert_id INTEGER NOT NULL,
  channel_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  created INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt INTEGER NOT NULL,
  last_error TEXT,
  delivered_at INTEGER);
CREATE INDEX outbox_by_state ON outbox(state, next_attempt);
CREATE INDEX outbox_by_alert ON outbox(alert_id);
)sql";

// Version 7. Event-time indexes so that a query over all services or series walks one index newest first
// instead of one statement per service: its cost no longer grows with the number of services.
constexpr const char *kV7 = R"sql(
CREATE INDEX logs_by_time ON logs(ts);
CREATE INDEX metric_points_by_time ON metric_points(ts);
)sql";

// Version 8. Whether an alert paged: the first of its incident, or one raising its level (the others are
// recorded in the incident without paging again).
constexpr const char *kV8 = R"sql(
ALTER TABLE alerts ADD COLUMN pages INTEGER NOT NULL DEFAULT 1;
)sql";

// Version 9. Log store v2 (logchunkcodec.h): logs in compressed chunks of one service. `logs` stays as the
// staging table of rows not yet sealed into a chunk, so a version 8 database is read as-is and its rows
// are sealed in the background. expires_at is the earliest retention cutoff that removes one of a chunk's
// events (the greatest of event and receive time of its oldest event): retention reads only chunks past it.
// The filters of trace ids and tags live in a table of their own: a trace lookup over all time scans that
// small table instead of a page of every chunk.
constexpr const char *kV9 = R"sql(
CREATE TABLE log_chunks(
  id INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL,
  min_ts INTEGER NOT NULL,
  max_ts INTEGER NOT NULL,
  min_id INTEGER NOT NULL,
  max_id INTEGER NOT NULL,
  min_received INTEGER NOT NULL,
  max_received INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  count INTEGER NOT NULL,
  signals INTEGER NOT NULL,
  level_mask INTEGER NOT NULL,
  text_bloom BLOB NOT NULL,
  keys BLOB NOT NULL,
  fields BLOB NOT NULL,
  messages BLOB NOT NULL,
  attributes BLOB NOT NULL);
CREATE INDEX log_chunks_by_service_time ON log_chunks(service_id, max_ts, min_ts);
CREATE INDEX log_chunks_by_time ON log_chunks(max_ts, min_ts);
CREATE INDEX log_chunks_by_max_id ON log_chunks(max_id);
CREATE INDEX log_chunks_by_expiry ON log_chunks(expires_at);
CREATE TABLE log_chunk_keys(
  chunk_id INTEGER PRIMARY KEY,
  bloom BLOB NOT NULL);
)sql";

// Version 10. Services registered before their first event (POST /api/logs/services/register): the
// document as given (description, team, owner, tags, …) by service name, so it outlives the service's
// rows being purged and re-created.
constexpr const char *kV10 = R"sql(
CREATE TABLE service_registrations(
  name TEXT PRIMARY KEY,
  doc TEXT NOT NULL,
  registered INTEGER NOT NULL,
  updated INTEGER NOT NULL) WITHOUT ROWID;
)sql";

// Version 11. Log chunk format 2 (logchunkcodec.h), which an older FlowGuard cannot read (format 1 chunks
// still read), and the key filters of chunks bit-sliced in runs: a trace id lookup reads a few slices of
// each run instead of every chunk's filter. Runs are made from `log_chunk_keys` rows in the background
// (which then go); `chunks` lists the run's chunk ids (delta varints); slice p (slice_bytes bytes) has bit
// j set when chunk j's filter has bit p. Slices sit part_bits to a row of log_key_slices, whose id is the
// run's id times 4096 plus the part: a probe reads one row of a page, not a blob's overflow chain.
constexpr const char *kV11 = R"sql(
CREATE TABLE log_key_groups(
  id INTEGER PRIMARY KEY,
  last_chunk INTEGER NOT NULL,
  bits INTEGER NOT NULL,
  slice_bytes INTEGER NOT NULL,
  part_bits INTEGER NOT NULL,
  chunks BLOB NOT NULL);
CREATE TABLE log_key_slices(
  id INTEGER PRIMARY KEY,
  slices BLOB NOT NULL);
)sql";

// Version 12. Small log chunks (a commit group's share of one service under load, a quiet service's sealed
// rows) indexed for the background compaction that merges them into larger ones (LogChunkWriter::compactStep),
// with what it needs to choose them; a chunk of 2048 events or more leaves the index (kSmallChunkEvents).
constexpr const char *kV12 = R"sql(
CREATE INDEX log_chunks_small ON log_chunks(service_id, min_ts, count, max_ts) WHERE count < 2048;
)sql";

// Version 13. Metric points in compressed chunks (metricchunkcodec.h), one row per service and write job:
// a point was a row and two index entries, whose page writes saturated the writer. `metric_points` keeps
// the rows of older versions, read as they are, and is no longer written. series_mask has a bit per series
// (metricSeriesBit); expires_at is as for log chunks (the earliest retention cutoff that removes a point).
// Small chunks (a job of a few points) are indexed for the background compaction that merges them.
// Reads in commit order (the analysis catching up) find the chunks holding an id range in the index of
// (max_id, min_id) alone, for log chunks too: with max_id only, each chunk past the start was read.
constexpr const char *kV13 = R"sql(
CREATE TABLE metric_chunks(
  id INTEGER PRIMARY KEY,
  service_id INTEGER NOT NULL,
  min_ts INTEGER NOT NULL,
  max_ts INTEGER NOT NULL,
  min_id INTEGER NOT NULL,
  max_id INTEGER NOT NULL,
  min_received INTEGER NOT NULL,
  max_received INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  count INTEGER NOT NULL,
  signals INTEGER NOT NULL,
  series_mask INTEGER NOT NULL,
  points BLOB NOT NULL);
CREATE INDEX metric_chunks_by_service_time ON metric_chunks(service_id, max_ts, min_ts);
CREATE INDEX metric_chunks_by_time ON metric_chunks(max_ts, min_ts);
CREATE INDEX metric_chunks_by_ids ON metric_chunks(max_id, min_id);
CREATE INDEX metric_chunks_by_expiry ON metric_chunks(expires_at);
CREATE INDEX metric_chunks_small ON metric_chunks(service_id, min_ts, count, max_ts) WHERE count < 1024;
DROP INDEX log_chunks_by_max_id;
CREATE INDEX log_chunks_by_ids ON log_chunks(max_id, min_id);
)sql";

const char *const kMigrations[] = {kV1, kV2, kV3, kV4, kV5, kV6, kV7, kV8, kV9, kV10, kV11, kV12, kV13};

} // namespace

void migrateSchema(SqliteDb &db)
{
    const int current = int(db.queryInt("PRAGMA user_version"));
    if (current > kSchemaVersion)
        throw SqliteError("database schema version " + std::to_string(current)
                              + " is newer than this FlowGuard understands (" + std::to_string(kSchemaVersion) + ")",
                          0);
    for (int v = current; v < kSchemaVersion; ++v) {
        db.exec("BEGIN IMMEDIATE");
        try {
            db.exec(kMigrations[v]);
            db.exec("PRAGMA user_version = " + std::to_string(v + 1));
            db.exec("COMMIT");
        } catch (...) {
            db.exec("ROLLBACK");
            throw;
        }
    }
}

} // namespace fg
