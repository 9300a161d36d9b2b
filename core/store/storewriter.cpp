#include "storewriter.h"

#include <sqlite3.h>

#include <filesystem>
#include <limits>
#include <unordered_map>

#include "schema.h"
#include "sqlitedb.h"
#include "timekeyallocator.h"
#include "walcheckpointer.h"

namespace fg {

namespace {
constexpr std::size_t kMaxItemsPerGroup = 100'000;
constexpr int kMaintenanceBatch = 5000;
constexpr std::size_t kMaxCachedNames = 100'000;
// The writer restarts the WAL past this many frames (64 MiB of 16 KiB pages). The background
// checkpointer has copied nearly all of them by then, so the restart only copies a short tail.
constexpr int kWalRestartFrames = 4096;

struct ServiceDelta {
    std::int64_t logs = 0;
    std::int64_t metrics = 0;
    TimeNs first = 0;
    TimeNs last = 0;
};
} // namespace

// Everything that lives on the writer thread: the connection, prepared statements and caches.
class StoreWriter::Session {
public:
    Session(const StoreOptions &options, StoreStats &stats)
        : m_options(options), m_stats(stats), m_db(options.path, SqliteDb::Mode::ReadWrite)
    {
        // 16 KiB pages: fewer page headers and b-tree splits for ~400-byte log rows (measured 1.3× the
        // insert rate of 4 KiB). Only takes effect on a new database.
        m_db.exec("PRAGMA page_size=16384");
        m_db.exec("PRAGMA journal_mode=WAL");
        // Checkpoints run on the WalCheckpointer's thread instead of inside our commits.
        m_db.exec("PRAGMA wal_autocheckpoint=0");
        m_db.exec(options.syncFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        m_db.exec("PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=67108864");
        migrateSchema(m_db);
        m_insertLog = std::make_unique<Statement>(
            m_db.handle(), "INSERT INTO logs(id,ts,received,service_id,level,level_raw,message,latency_ms,status_code,"
                           "endpoint,method,trace_id,span_id,signal_id,attributes) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        m_insertPoint = std::make_unique<Statement>(
            m_db.handle(), "INSERT INTO metric_points(id,series_id,value,received,signal_id) VALUES(?,?,?,?,?)");
        m_insertSignal = std::make_unique<Statement>(
            m_db.handle(), "INSERT OR IGNORE INTO signal_ids(key,row_id) VALUES(?,?)");
        m_moveSignal = std::make_unique<Statement>(m_db.handle(), "UPDATE signal_ids SET row_id=? WHERE key=?");
        m_findService = std::make_unique<Statement>(m_db.handle(), "SELECT id FROM services WHERE name=?");
        m_insertService = std::make_unique<Statement>(
            m_db.handle(), "INSERT INTO services(name,first_seen,last_seen) VALUES(?,?,?) RETURNING id");
        m_updateService = std::make_unique<Statement>(
            m_db.handle(), "UPDATE services SET first_seen=min(first_seen,?2), last_seen=max(last_seen,?3),"
                           " log_count=log_count+?4, metric_count=metric_count+?5 WHERE id=?1");
        m_findSeries = std::make_unique<Statement>(
            m_db.handle(), "SELECT id FROM metric_series WHERE service_id=? AND name=? AND tags=?");
        m_insertSeries = std::make_unique<Statement>(
            m_db.handle(), "INSERT INTO metric_series(service_id,name,type,tags) VALUES(?,?,?,?) RETURNING id");
        m_logKeys = std::make_unique<TimeKeyAllocator>(m_db, "logs");
        m_pointKeys = std::make_unique<TimeKeyAllocator>(m_db, "metric_points");
        m_stats.logsStored = m_db.queryInt("SELECT coalesce(sum(log_count),0) FROM services");
        m_stats.metricsStored = m_db.queryInt("SELECT coalesce(sum(metric_count),0) FROM services");
        refreshSizes();
        m_checkpointer = std::make_unique<WalCheckpointer>(options.path);
        sqlite3_wal_hook(
            m_db.handle(),
            [](void *self, sqlite3 *, const char *, int frames) {
                static_cast<Session *>(self)->m_walFrames = frames;
                return SQLITE_OK;
            },
            this);
    }

    ~Session()
    {
        m_checkpointer.reset();
        try {
            m_db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (const SqliteError &) {
            // Another connection is reading; the WAL stays and is replayed on next open.
        }
    }

    void commitGroup(std::vector<std::unique_ptr<WriteJob>> &jobs)
    {
        std::vector<WriteOutcome> outcomes(jobs.size());
        std::int64_t logs = 0, metrics = 0, dups = 0;
        bool committed = false;
        std::string groupError;
        try {
            m_db.exec("BEGIN IMMEDIATE");
            for (std::size_t i = 0; i < jobs.size(); ++i) {
                m_db.exec("SAVEPOINT job");
                try {
                    const auto counts = insertJob(jobs[i]->batch, outcomes[i].duplicates);
                    m_db.exec("RELEASE job");
                    outcomes[i].ok = true;
                    logs += counts.first;
                    metrics += counts.second;
                    dups += outcomes[i].duplicates;
                } catch (const SqliteError &e) {
                    m_db.exec("ROLLBACK TO job");
                    m_db.exec("RELEASE job");
                    forgetCaches();
                    outcomes[i].error = e.what();
                    outcomes[i].duplicates = 0;
                }
            }
            m_db.exec("COMMIT");
            committed = true;
            m_checkpointer->walGrew();
            if (m_walFrames > kWalRestartFrames)
                sqlite3_wal_checkpoint_v2(m_db.handle(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
        } catch (const SqliteError &e) {
            groupError = e.what();
            if (!sqlite3_get_autocommit(m_db.handle()))
                sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            forgetCaches();
        }
        if (committed) {
            m_stats.commits++;
            m_stats.logsStored += logs;
            m_stats.metricsStored += metrics;
            m_stats.logsAppended += logs;
            m_stats.metricsAppended += metrics;
            m_stats.duplicates += dups;
        }
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            WriteOutcome &o = outcomes[i];
            if (!committed) {
                o.ok = false;
                o.duplicates = 0;
                o.error = groupError;
            }
            (o.ok ? m_stats.jobsCommitted : m_stats.jobsFailed)++;
            if (jobs[i]->done)
                jobs[i]->done(o);
        }
    }

    // One bounded step of retention or size capping; true while more remains to delete.
    bool maintenanceStep()
    {
        refreshSizes();
        bool more = false;
        if (m_options.retentionSeconds > 0) {
            // A row expires when both its event time and its receive time are older than the retention:
            // history backfilled today is kept for the whole period, as the user would expect.
            const TimeNs cutoff = nowNs() - m_options.retentionSeconds * kNsPerSec;
            const std::string where = "id < " + std::to_string(timeKeyFloor(cutoff)) + " AND received < "
                                      + std::to_string(cutoff);
            more = deleteRows(where, where);
        }
        if (!more && m_stats.dbBytes > m_options.maxDbBytes) {
            deleteOldestSlice();
            refreshSizes();
            more = m_stats.dbBytes > m_options.maxDbBytes;
        }
        return more;
    }

private:
    std::pair<std::int64_t, std::int64_t> insertJob(const IngestBatch &batch, int &duplicates)
    {
        std::unordered_map<std::int64_t, ServiceDelta> deltas;
        std::int64_t logs = 0, metrics = 0;
        std::string key;
        for (const LogRecord &r : batch.logs) {
            const std::int64_t sid = serviceId(r.service, r.ts);
            std::int64_t id = m_logKeys->allocate(r.ts);
            if (!r.signalId.empty() && !claimSignal('l', r.signalId, id, key)) {
                ++duplicates;
                continue;
            }
            Statement &s = *m_insertLog;
            s.bind(2, r.ts).bind(3, r.received).bind(4, sid).bind(5, int(r.level));
            s.bind(6, std::string_view(r.levelRaw)).bind(7, std::string_view(r.message)).bind(8, r.latencyMs);
            if (r.statusCode)
                s.bind(9, r.statusCode);
            else
                s.bindNull(9);
            s.bind(10, std::string_view(r.endpoint)).bind(11, std::string_view(r.method));
            s.bind(12, std::string_view(r.traceId)).bind(13, std::string_view(r.spanId));
            s.bind(14, std::string_view(r.signalId)).bind(15, std::string_view(r.attributes));
            if (!insertWithId(s, id, *m_logKeys, r.ts) && !r.signalId.empty())
                moveSignal('l', r.signalId, id, key);
            note(deltas[sid], r.ts).logs++;
            ++logs;
        }
        for (const MetricSample &m : batch.metrics) {
            const std::int64_t sid = serviceId(m.service, m.ts);
            const std::int64_t series = seriesId(sid, m);
            std::int64_t id = m_pointKeys->allocate(m.ts);
            if (!m.signalId.empty() && !claimSignal('m', m.signalId, id, key)) {
                duplicates += m.startsItem ? 1 : 0;
                continue;
            }
            m_insertPoint->bind(2, series).bind(3, m.value).bind(4, m.received);
            m_insertPoint->bind(5, std::string_view(m.signalId));
            if (!insertWithId(*m_insertPoint, id, *m_pointKeys, m.ts) && !m.signalId.empty())
                moveSignal('m', m.signalId, id, key);
            note(deltas[sid], m.ts).metrics++;
            ++metrics;
        }
        for (const auto &[sid, d] : deltas) {
            m_updateService->bind(1, sid).bind(2, d.first).bind(3, d.last).bind(4, d.logs).bind(5, d.metrics);
            m_updateService->exec();
        }
        return {logs, metrics};
    }

    // Runs an insert whose first parameter is the row id. An optimistic id that collides with a stored
    // row is replaced by an exact one; returns false (with id updated) in that case.
    static bool insertWithId(Statement &insert, std::int64_t &id, TimeKeyAllocator &keys, TimeNs ts)
    {
        insert.bind(1, id);
        try {
            insert.exec();
            return true;
        } catch (const SqliteError &e) {
            if (e.code() != SQLITE_CONSTRAINT_PRIMARYKEY)
                throw;
        }
        id = keys.exact(ts);
        insert.bind(1, id);
        insert.exec();
        return false;
    }

    void moveSignal(char kind, const std::string &signal, std::int64_t rowId, std::string &key)
    {
        key.assign(1, kind);
        key += ':';
        key += signal;
        m_moveSignal->bind(1, rowId).bind(2, std::string_view(key));
        m_moveSignal->exec();
    }

    static ServiceDelta &note(ServiceDelta &d, TimeNs ts)
    {
        if (d.logs + d.metrics == 0 || ts < d.first)
            d.first = ts;
        if (d.logs + d.metrics == 0 || ts > d.last)
            d.last = ts;
        return d;
    }

    bool claimSignal(char kind, const std::string &signal, std::int64_t rowId, std::string &key)
    {
        key.assign(1, kind);
        key += ':';
        key += signal;
        m_insertSignal->bind(1, std::string_view(key)).bind(2, rowId);
        m_insertSignal->exec();
        return m_db.changes() == 1;
    }

    std::int64_t serviceId(const std::string &name, TimeNs ts)
    {
        if (auto it = m_services.find(name); it != m_services.end())
            return it->second;
        if (m_services.size() >= kMaxCachedNames)
            m_services.clear();
        std::int64_t id;
        m_findService->bind(1, std::string_view(name));
        if (m_findService->step()) {
            id = m_findService->int64(0);
            m_findService->reset();
        } else {
            m_findService->reset();
            m_insertService->bind(1, std::string_view(name)).bind(2, ts).bind(3, ts);
            m_insertService->step();
            id = m_insertService->int64(0);
            m_insertService->reset();
        }
        m_services.emplace(name, id);
        return id;
    }

    std::int64_t seriesId(std::int64_t serviceId, const MetricSample &m)
    {
        std::string key = std::to_string(serviceId);
        key += '\x1f';
        key += m.name;
        key += '\x1f';
        key += m.tags;
        if (auto it = m_series.find(key); it != m_series.end())
            return it->second;
        if (m_series.size() >= kMaxCachedNames)
            m_series.clear();
        std::int64_t id;
        m_findSeries->bind(1, serviceId).bind(2, std::string_view(m.name)).bind(3, std::string_view(m.tags));
        if (m_findSeries->step()) {
            id = m_findSeries->int64(0);
            m_findSeries->reset();
        } else {
            m_findSeries->reset();
            m_insertSeries->bind(1, serviceId).bind(2, std::string_view(m.name)).bind(3, int(m.type));
            m_insertSeries->bind(4, std::string_view(m.tags));
            m_insertSeries->step();
            id = m_insertSeries->int64(0);
            m_insertSeries->reset();
        }
        m_series.emplace(std::move(key), id);
        return id;
    }

    // Ids handed out or rows created inside a rolled-back savepoint must not be trusted afterwards.
    void forgetCaches()
    {
        m_services.clear();
        m_series.clear();
        m_logKeys->forget();
        m_pointKeys->forget();
    }

    // Deletes up to kMaintenanceBatch rows from each big table matching the conditions, oldest first,
    // in one transaction that keeps service counters and idempotency keys consistent. True if the limit
    // was reached in either table (more may remain).
    bool deleteRows(const std::string &logCondition, const std::string &pointCondition)
    {
        m_db.exec("BEGIN IMMEDIATE");
        try {
            bool more = deleteFrom("logs", "l", logCondition, "log_count",
                                   "SELECT service_id, count(*) FROM logs WHERE id IN (SELECT id FROM doomed)"
                                   " GROUP BY service_id",
                                   m_stats.logsStored);
            more = deleteFrom("metric_points", "m", pointCondition, "metric_count",
                              "SELECT s.service_id, count(*) FROM metric_points p JOIN metric_series s"
                              " ON s.id = p.series_id WHERE p.id IN (SELECT id FROM doomed) GROUP BY s.service_id",
                              m_stats.metricsStored)
                   || more;
            m_db.exec("COMMIT");
            return more;
        } catch (const SqliteError &) {
            if (!sqlite3_get_autocommit(m_db.handle()))
                sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
    }

    bool deleteFrom(const std::string &table, const char *kind, const std::string &condition, const char *counter,
                    const std::string &countSql, std::atomic<std::int64_t> &stored)
    {
        m_db.exec("CREATE TEMP TABLE IF NOT EXISTS doomed(id INTEGER PRIMARY KEY); DELETE FROM doomed");
        m_db.exec("INSERT INTO doomed SELECT id FROM " + table + " WHERE " + condition + " ORDER BY id LIMIT "
                  + std::to_string(kMaintenanceBatch));
        const std::int64_t n = m_db.changes();
        if (n == 0)
            return false;
        Statement counts(m_db.handle(), countSql);
        Statement dec(m_db.handle(), std::string("UPDATE services SET ") + counter + "=" + counter + "-? WHERE id=?");
        std::vector<std::pair<std::int64_t, std::int64_t>> perService;
        while (counts.step())
            perService.emplace_back(counts.int64(0), counts.int64(1));
        for (const auto &[sid, count] : perService) {
            dec.bind(1, count).bind(2, sid);
            dec.exec();
        }
        m_db.exec(std::string("DELETE FROM signal_ids WHERE row_id IN (SELECT id FROM doomed) AND key >= '") + kind
                  + ":' AND key < '" + kind + ";'");
        m_db.exec("DELETE FROM " + table + " WHERE id IN (SELECT id FROM doomed)");
        m_db.exec("DELETE FROM doomed");
        stored -= n;
        m_stats.retentionDeleted += n;
        return n == kMaintenanceBatch;
    }

    // Size cap: drop the oldest time slice, a batch from whichever table reaches back further and
    // everything older than that batch's end in the other.
    void deleteOldestSlice()
    {
        const std::int64_t maxId = std::numeric_limits<std::int64_t>::max();
        const std::int64_t oldestLog = m_db.queryInt("SELECT coalesce(min(id), 9223372036854775807) FROM logs");
        const std::int64_t oldestPoint =
            m_db.queryInt("SELECT coalesce(min(id), 9223372036854775807) FROM metric_points");
        if (oldestLog == maxId && oldestPoint == maxId)
            return;
        const std::string table = oldestLog <= oldestPoint ? "logs" : "metric_points";
        Statement nth(m_db.handle(), "SELECT id FROM " + table + " ORDER BY id LIMIT 1 OFFSET ?");
        nth.bind(1, kMaintenanceBatch - 1);
        const std::int64_t bound = nth.step() ? nth.int64(0) : maxId;
        const std::string where = "id <= " + std::to_string(bound);
        deleteRows(where, where);
    }

    void refreshSizes()
    {
        const std::int64_t pages = m_db.queryInt("PRAGMA page_count");
        const std::int64_t freePages = m_db.queryInt("PRAGMA freelist_count");
        const std::int64_t pageSize = m_db.queryInt("PRAGMA page_size");
        m_stats.dbBytes = (pages - freePages) * pageSize;
        std::error_code ec;
        const auto wal = std::filesystem::file_size(m_options.path + "-wal", ec);
        m_stats.walBytes = ec ? 0 : std::int64_t(wal);
    }

    const StoreOptions &m_options;
    StoreStats &m_stats;
    SqliteDb m_db;
    std::unique_ptr<WalCheckpointer> m_checkpointer; // after the schema exists
    int m_walFrames = 0;
    std::unique_ptr<Statement> m_insertLog, m_insertPoint, m_insertSignal, m_moveSignal, m_findService, m_insertService,
        m_updateService, m_findSeries, m_insertSeries;
    std::unique_ptr<TimeKeyAllocator> m_logKeys, m_pointKeys;
    std::unordered_map<std::string, std::int64_t> m_services;
    std::unordered_map<std::string, std::int64_t> m_series;
};

StoreWriter::StoreWriter(StoreOptions options) : m_options(std::move(options)) {}

StoreWriter::~StoreWriter() { stop(); }

bool StoreWriter::start(std::string *error)
{
    std::promise<std::string> opened;
    auto result = opened.get_future();
    m_thread = std::thread([this, &opened] { run(&opened); });
    const std::string err = result.get();
    if (!err.empty()) {
        m_thread.join();
        if (error)
            *error = err;
        return false;
    }
    std::lock_guard lock(m_mutex);
    m_running = true;
    return true;
}

void StoreWriter::submit(std::unique_ptr<WriteJob> job)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_running && !m_stopping) {
            m_queue.push_back(std::move(job));
            m_stats.queuedJobs = std::int64_t(m_queue.size());
            m_wake.notify_one();
            return;
        }
    }
    if (job->done)
        job->done(WriteOutcome{false, 0, "storage is shutting down"});
}

void StoreWriter::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_running)
            return;
        m_stopping = true;
        m_wake.notify_one();
    }
    m_thread.join();
    std::lock_guard lock(m_mutex);
    m_running = false;
}

void StoreWriter::runMaintenanceNow()
{
    std::unique_lock lock(m_mutex);
    if (!m_running)
        return;
    const int ticket = ++m_maintenanceRequests;
    m_wake.notify_one();
    m_maintenanceDone.wait(lock, [&] { return m_maintenanceCompleted >= ticket || !m_running; });
}

void StoreWriter::run(std::promise<std::string> *opened)
{
    std::unique_ptr<Session> session;
    try {
        session = std::make_unique<Session>(m_options, m_stats);
    } catch (const std::exception &e) {
        opened->set_value(e.what());
        return;
    }
    m_stats.healthy = true;
    opened->set_value(std::string());

    auto nextMaintenance = std::chrono::steady_clock::now();
    bool maintenanceActive = true; // once at start
    std::vector<std::unique_ptr<WriteJob>> group;
    for (;;) {
        int maintenanceTicket = 0;
        {
            std::unique_lock lock(m_mutex);
            if (m_queue.empty() && !m_stopping && !maintenanceActive && m_maintenanceRequests == m_maintenanceCompleted)
                m_wake.wait_until(lock, nextMaintenance);
            std::size_t items = 0;
            while (!m_queue.empty() && items < kMaxItemsPerGroup) {
                items += m_queue.front()->batch.logs.size() + m_queue.front()->batch.metrics.size();
                group.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
            m_stats.queuedJobs = std::int64_t(m_queue.size());
            if (m_maintenanceRequests > m_maintenanceCompleted)
                maintenanceTicket = m_maintenanceRequests;
            if (group.empty() && m_stopping)
                break;
        }
        if (!group.empty()) {
            session->commitGroup(group);
            group.clear();
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= nextMaintenance) {
            maintenanceActive = true;
            nextMaintenance = now + std::chrono::milliseconds(m_options.maintenanceIntervalMs);
        }
        try {
            if (maintenanceTicket) {
                while (session->maintenanceStep()) {
                }
                maintenanceActive = false;
            } else if (maintenanceActive) {
                maintenanceActive = session->maintenanceStep();
            }
        } catch (const SqliteError &) {
            maintenanceActive = false; // retried at the next interval
        }
        if (maintenanceTicket) {
            std::lock_guard lock(m_mutex);
            m_maintenanceCompleted = maintenanceTicket;
            m_maintenanceDone.notify_all();
        }
    }
    session.reset();
    m_stats.healthy = false;
    std::lock_guard lock(m_mutex);
    m_maintenanceCompleted = m_maintenanceRequests;
    m_maintenanceDone.notify_all();
}

} // namespace fg
