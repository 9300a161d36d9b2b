#pragma once

#include <functional>
#include <memory>
#include <string>

#include "alerting/alertevaluator.h"
#include "analysis/detect/anomalyrecord.h"
#include "analysis/kpirollup.h"
#include "analysis/templates/templatetracker.h"
#include "model/records.h"
#include "storestats.h"

namespace fg {

// What a purge of services removed (WriteJob::purgeServicePrefix).
struct PurgeCounts {
    std::int64_t services = 0;
    std::int64_t logs = 0;
    std::int64_t points = 0;
    std::int64_t rollups = 0;
    std::int64_t anomalies = 0;
    std::int64_t alerts = 0;
    std::int64_t incidents = 0;
};

struct WriteOutcome {
    bool ok = false;
    int duplicates = 0; // items skipped because their signal_id was already stored
    std::string error;
    bool diskFull = false; // the failure was a full disk (retry once there is room)
    PurgeCounts purged;
};

// A service registered before its first event: its services row is created (it is listed from then on)
// and its document stored, replacing an earlier registration's.
struct ServiceRegistration {
    std::string name;
    std::string doc; // JSON object
};

struct WriteJob {
    // Non-empty: first deletes every row of the services whose names start with this (demo data).
    std::string purgeServicePrefix;
    IngestBatch batch;
    // Closed KPI minutes; merged into what is stored for the same minute.
    std::vector<KpiRollup> rollups;
    // Detected anomalies, new or updated (keyed by service, endpoint, kind and start).
    std::vector<AnomalyRecord> anomalies;
    // Log templates touched and their per-minute counts (added to what is stored).
    std::vector<TemplateUpdate> templates;
    std::vector<TemplateMinute> templateMinutes;
    // Settings documents by key (JSON), replacing what is stored.
    std::vector<std::pair<std::string, std::string>> settings;
    // Alert changes from the lifecycle: alerts upserted by id, transitions appended, notifications queued
    // in the outbox.
    AlertChanges alerts;
    // Rule documents by id (JSON); an empty document deletes.
    std::vector<std::pair<std::int64_t, std::string>> rules;
    std::vector<Silence> silences; // upserted by id
    std::vector<std::int64_t> deletedSilences;
    // Outbox rows after a delivery attempt (state, attempts, next attempt, error, delivery time).
    std::vector<Delivery> deliveries;
    // Channel documents by id (JSON, no secrets); an empty document deletes.
    std::vector<std::pair<std::int64_t, std::string>> channels;
    std::vector<ServiceRegistration> serviceRegistrations;
    // Called on the writer thread once the job's transaction is durable (or has failed).
    std::function<void(const WriteOutcome &)> done;
};

// Where ingest batches go: appended atomically per job, acknowledged once durable. SQLite today
// (SqliteStoreWriter); a PostgreSQL/TimescaleDB backend implements the same interface.
class StoreWriter {
public:
    virtual ~StoreWriter() = default;
    // Thread-safe; job->done runs on the store's thread once the job is durable or has failed.
    virtual void submit(std::unique_ptr<WriteJob> job) = 0;
    // Commits everything queued, then closes. Later submits fail.
    virtual void stop() = 0;
    // Runs retention and the size cap now and returns once done (tests, tools).
    virtual void runMaintenanceNow() = 0;
    virtual const StoreStats &stats() const = 0;
    // Receives each committed job's events and samples (duplicates removed), on the store's thread, for
    // analysis. Set before the store starts.
    using Committed = std::function<void(IngestBatch &&batch)>;
    virtual void setCommittedObserver(Committed observer) = 0;
};

} // namespace fg
