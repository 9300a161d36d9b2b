#pragma once

#include <functional>
#include <memory>
#include <string>

#include "model/records.h"
#include "storestats.h"

namespace fg {

struct WriteOutcome {
    bool ok = false;
    int duplicates = 0; // items skipped because their signal_id was already stored
    std::string error;
};

struct WriteJob {
    IngestBatch batch;
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
};

} // namespace fg
