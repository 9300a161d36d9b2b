#include "sqlitestorewriter.h"

#include <sqlite3.h>

#include <QJsonDocument>

#include <algorithm>

#include <filesystem>
#include <limits>
#include <unordered_map>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "logchunkwriter.h"
#include "metricchunks.h"
#include "schema.h"
#include "servicepurge.h"
#include "sqlitedb.h"
#include "walcheckpointer.h"

namespace fg {

namespace {
constexpr std::size_t kMaxItemsPerGroup = 100'000;
constexpr int kMaintenanceBatch = 5000;
constexpr std::size_t kMaxCachedNames = 100'000;
// How often an idle writer looks for staged log rows due for sealing.
constexpr auto kSealCheck = std::chrono::seconds(2);
// An idle writer gives its page cache (up to 32 MB, full after any backlog) back this long after its last
// work: idle RSS is what a laptop user sees, and the next burst reads the pages it needs again.
constexpr auto kReleaseCacheAfter = std::chrono::seconds(5);

struct ServiceDelta {
    std::int64_t logs = 0;
    std::int64_t metrics = 0;
    TimeNs first = 0;
    TimeNs last = 0;
    TimeNs received = 0;
};
} // namespace

// Everything that lives on the writer thread: the connection, prepared statements and caches.
class SqliteStoreWriter::Session {
public:
    Session(const StoreOptions &options, StoreStats &stats, const Committed &observer)
        : m_options(options), m_stats(stats), m_observer(observer), m_db(options.path, SqliteDb::Mode::ReadWrite)
    {
        // 4 KiB pages: a log chunk's blocks fill a chain of overflow pages whose last one is half empty on
        // average; with 16 KiB pages that was 10 of ~75 bytes per event (measured), and ingest no longer
        // inserts a row per event. Only takes effect on a new database.
        m_db.exec("PRAGMA page_size=4096");
        // Merging small chunks and retention free pages that SQLite would keep in the file for reuse: a new
        // database gives them back to the file system while idle (vacuumStep). Only before the first table.
        m_db.exec("PRAGMA auto_vacuum=INCREMENTAL");
        m_db.exec("PRAGMA journal_mode=WAL");
        // Checkpoints run on the WalCheckpointer's thread instead of inside our commits.
        m_db.exec("PRAGMA wal_autocheckpoint=0");
        m_db.exec(options.syncFull ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        // Temp files on disk: with temp_store=MEMORY the statement sub-journal is a list of 1 KiB chunks that
        // every statement's end walks from its start to truncate it, and inside a job's savepoint it holds all
        // the job's pages (a commit group for 1,000 services spent 43 % of the writer in that walk). On disk it
        // stays in memory up to 64 KiB and is truncated with one call beyond.
        m_db.exec("PRAGMA cache_size=-32768; PRAGMA temp_store=FILE; PRAGMA journal_size_limit=" + std::to_string(options.walRestartBytes));
        // Debian builds SQLite with secure delete on: every page freed by retention (a log chunk's overflow
        // chain) would be zeroed and written again. FAST still clears what is freed inside b-tree pages at no
        // extra I/O; free pages keep old bytes until reused. Measured: retention of a day 2.0 s before.
        m_db.exec("PRAGMA secure_delete=FAST");
        migrateSchema(m_db);
        m_chunks = std::make_unique<LogChunkWriter>(m_db, m_stats);
        m_metricChunks = std::make_unique<MetricChunkWriter>(m_db, m_stats);
        m_pageSize = m_db.queryInt("PRAGMA page_size");
        m_incrementalVacuum = m_db.queryInt("PRAGMA auto_vacuum") == 2;
        m_insertSignal = std::make_unique<Statement>(
            m_db.handle(), "INSERT OR IGNORE INTO signal_ids(key,row_id) VALUES(?,?)");
        m_findRollup = std::make_unique<Statement>(
            m_db.handle(), "SELECT events, error_events, requests, request_errors, latency FROM kpi_rollups"
                           " WHERE service_id=? AND endpoint=? AND start=?");
        m_writeRollup = std::make_unique<Statement>(
            m_db.handle(), "INSERT OR REPLACE INTO kpi_rollups(service_id,endpoint,start,events,error_events,requests,"
                           "request_errors,latency,written) VALUES(?,?,?,?,?,?,?,?,?)");
        m_writeAnomaly = std::make_unique<Statement>(
            m_db.handle(), "INSERT INTO anomalies(service_id,endpoint,kind,started_at,ended_at,updated_at,score,signals,"
                           "explanation,recommendation,written,metric) VALUES(?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(service_id,"
                           "endpoint,kind,metric,started_at) DO UPDATE SET ended_at=excluded.ended_at,"
                           " updated_at=excluded.updated_at, score=excluded.score, signals=excluded.signals,"
                           " explanation=excluded.explanation, recommendation=excluded.recommendation,"
                           " written=excluded.written");
        m_writeTemplate = std::make_unique<Statement>(
            m_db.handle(), "INSERT INTO templates(service_id,template_id,template,sample,max_level,first_seen,last_seen,count)"
                           " VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(service_id,template_id) DO UPDATE SET"
                           " template=excluded.template, max_level=max(max_level,excluded.max_level),"
                           " first_seen=min(first_seen,excluded.first_seen), last_seen=max(last_seen,excluded.last_seen),"
                           " count=count+excluded.count");
        m_writeTemplateMinute = std::make_unique<Statement>(
            m_db.handle(), "INSERT INTO template_counts(service_id,template_id,minute,count,written) VALUES(?,?,?,?,?)"
                           " ON CONFLICT(service_id,template_id,minute) DO UPDATE SET count=count+excluded.count,"
                           " written=excluded.written");
        m_findService = std::make_unique<Statement>(m_db.handle(), "SELECT id FROM services WHERE name=?");
        m_insertService = std::make_unique<Statement>(
            m_db.handle(), "INSERT INTO services(name,first_seen,last_seen) VALUES(?,?,?) RETURNING id");
        m_updateService = std::make_unique<Statement>(
            m_db.handle(), "UPDATE services SET first_seen=min(first_seen,?2), last_seen=max(last_seen,?3),"
                           " log_count=log_count+?4, metric_count=metric_count+?5,"
                           " last_received=max(last_received,?6) WHERE id=?1");
        m_findSeries = std::make_unique<Statement>(
            m_db.handle(), "SELECT id FROM metric_series WHERE service_id=? AND name=? AND tags=?");
        m_insertSeries = std::make_unique<Statement>(
            m_db.handle(), "INSERT INTO metric_series(service_id,name,type,tags) VALUES(?,?,?,?) RETURNING id");
        forgetCaches();
        m_stats.lastLogId = m_nextLogId - 1;
        m_stats.lastPointId = m_nextPointId - 1;
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

    // Starts the WAL over once the checkpointer has finished its pass (no new one starts meanwhile). A
    // reader still on old frames makes the restart wait for it, and the checkpointer goes on for a while
    // before the next try. Once all frames are copied, new readers read the database file only, so a wait
    // as long as one reader's transaction suffices: readers reading back to back for longer than a fixed
    // 20 ms wait (the analysis catching up from the store) kept every try from succeeding, and the WAL grew
    // past 6 GB in 8 minutes of ingest. So a failed try doubles the wait (up to 1 s), and the wait found
    // is kept while restarts need it.
    void restartWal()
    {
        const auto now = std::chrono::steady_clock::now();
        if (now < m_nextRestartTry)
            return;
        m_checkpointer->holdPasses(true);
        if (!m_checkpointer->quiet())
            return; // the next commit looks again
        sqlite3_busy_timeout(m_db.handle(), m_restartWaitMs);
        const int rc = sqlite3_wal_checkpoint_v2(m_db.handle(), nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
        sqlite3_busy_timeout(m_db.handle(), SqliteDb::kBusyTimeoutMs);
        m_checkpointer->holdPasses(false);
        if (rc == SQLITE_OK) {
            ++m_stats.walRestarts;
            const auto took = std::chrono::steady_clock::now() - now;
            if (took < std::chrono::milliseconds(m_restartWaitMs / 4))
                m_restartWaitMs = std::max(kRestartWaitMs, m_restartWaitMs / 2);
        } else {
            // Far past its size the WAL slows every page lookup: the next try comes sooner.
            const bool far = std::int64_t(m_walFrames) * m_pageSize > 4 * m_options.walRestartBytes;
            m_nextRestartTry = now + std::chrono::milliseconds(far ? 50 : 250);
            m_restartWaitMs = std::min(2 * m_restartWaitMs, kMaxRestartWaitMs);
        }
    }

    // After a commit: the checkpointer copies the new frames, and past its restart size the WAL starts over.
    void walGrew()
    {
        m_checkpointer->walGrew();
        if (std::int64_t(m_walFrames) * m_pageSize > m_options.walRestartBytes)
            restartWal();
    }

    void commitGroup(std::vector<std::unique_ptr<WriteJob>> &jobs)
    {
        std::vector<WriteOutcome> outcomes(jobs.size());
        std::vector<std::vector<std::size_t>> duplicateLogs(jobs.size()), duplicateMetrics(jobs.size());
        std::vector<std::int64_t> firstLog(jobs.size()), firstPoint(jobs.size());
        std::int64_t logs = 0, metrics = 0, dups = 0;
        bool committed = false;
        bool groupFull = false;
        std::string groupError;
        const std::int64_t groupFirstLog = m_nextLogId, groupFirstPoint = m_nextPointId;
        // A savepoint per job lets a bad job fail alone, but SQLite then journals every page each job
        // touches once more (a group of rollups for 1,000 services: a fifth of the writer's time). Jobs
        // fail rarely, so the group runs without them first and again with them only when a job failed.
        // Purges change the chunk writer's memory beyond what a rollback restores: those groups use
        // savepoints from the start.
        bool savepoints = jobs.size() == 1 || std::any_of(jobs.begin(), jobs.end(), [](const auto &j) {
            return !j->purgeServicePrefix.empty();
        });
        for (;;) {
            bool retry = false;
            try {
                m_db.exec("BEGIN IMMEDIATE");
                for (std::size_t i = 0; i < jobs.size() && !retry; ++i) {
                    if (savepoints)
                        m_db.exec("SAVEPOINT job");
                    firstLog[i] = m_nextLogId;
                    firstPoint[i] = m_nextPointId;
                    try {
                        if (!jobs[i]->purgeServicePrefix.empty()) {
                            outcomes[i].purged = purgeServices(m_db, *m_chunks, *m_metricChunks, jobs[i]->purgeServicePrefix);
                            forgetCaches(); // the purged services' and series' ids are gone
                        }
                        const auto counts = insertJob(*jobs[i], outcomes[i].duplicates, duplicateLogs[i], duplicateMetrics[i]);
                        if (savepoints)
                            m_db.exec("RELEASE job");
                        m_chunks->keepJob();
                        outcomes[i].ok = true;
                        logs += counts.first;
                        metrics += counts.second;
                        dups += outcomes[i].duplicates;
                    } catch (const SqliteError &e) {
                        m_chunks->dropJob();
                        if (!savepoints) {
                            retry = true;
                            continue;
                        }
                        m_db.exec("ROLLBACK TO job");
                        m_db.exec("RELEASE job");
                        forgetCaches();
                        outcomes[i].error = e.what();
                        outcomes[i].diskFull = (e.code() & 0xff) == SQLITE_FULL;
                        outcomes[i].duplicates = 0;
                        outcomes[i].purged = {};
                    }
                }
                if (retry) {
                    // Undo the whole group and run it again with a savepoint per job.
                    sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
                    m_chunks->groupFailed();
                    forgetCaches();
                    m_nextLogId = groupFirstLog;
                    m_nextPointId = groupFirstPoint;
                    outcomes.assign(jobs.size(), WriteOutcome());
                    for (auto &d : duplicateLogs)
                        d.clear();
                    for (auto &d : duplicateMetrics)
                        d.clear();
                    logs = metrics = dups = 0;
                    savepoints = true;
                    ++m_stats.groupRetries;
                    continue;
                }
                m_chunks->writeGroup();
                m_db.exec("COMMIT");
                committed = true;
                m_chunks->groupCommitted();
                walGrew();
            } catch (const SqliteError &e) {
                groupError = e.what();
                groupFull = (e.code() & 0xff) == SQLITE_FULL;
                if (!sqlite3_get_autocommit(m_db.handle()))
                    sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
                m_chunks->groupFailed();
                forgetCaches();
            }
            break;
        }
        m_stats.diskFull = groupFull || std::any_of(outcomes.begin(), outcomes.end(), [](const WriteOutcome &o) { return o.diskFull; });
        if (committed) {
            m_stats.commits++;
            for (const WriteOutcome &o : outcomes) {
                m_stats.logsStored -= o.purged.logs;
                m_stats.metricsStored -= o.purged.points;
            }
            m_stats.logsStored += logs;
            m_stats.metricsStored += metrics;
            m_stats.logsAppended += logs;
            m_stats.metricsAppended += metrics;
            m_stats.duplicates += dups;
            m_stats.lastLogId = m_nextLogId - 1;
            m_stats.lastPointId = m_nextPointId - 1;
        }
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            WriteOutcome &o = outcomes[i];
            if (!committed) {
                o.ok = false;
                o.duplicates = 0;
                o.error = groupError;
                o.diskFull = groupFull;
            }
            (o.ok ? m_stats.jobsCommitted : m_stats.jobsFailed)++;
            if (jobs[i]->done)
                jobs[i]->done(o);
            IngestBatch &batch = jobs[i]->batch;
            if (o.ok && m_observer && !(batch.logs.empty() && batch.metrics.empty())) {
                IngestBatch committed;
                committed.logs = withoutDuplicates(std::move(batch.logs), duplicateLogs[i]);
                committed.metrics = withoutDuplicates(std::move(batch.metrics), duplicateMetrics[i]);
                // A job's stored rows are numbered one after another (duplicates take no id).
                committed.firstLogId = committed.logs.empty() ? 0 : firstLog[i];
                committed.firstPointId = committed.metrics.empty() ? 0 : firstPoint[i];
                m_observer(std::move(committed));
            }
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
            const TimeNs cutoff = m_options.clock() - m_options.retentionSeconds * kNsPerSec;
            more = m_chunks->expire(cutoff);
            more = expire("logs", m_logsExpiredBelow, cutoff, "SELECT service_id, count(*) FROM logs"
                          " WHERE id IN (SELECT id FROM doomed) GROUP BY service_id", "log_count", 'l', m_stats.logsStored)
                   || more;
            more = m_metricChunks->expire(cutoff) || more;
            more = expire("metric_points", m_pointsExpiredBelow, cutoff,
                          "SELECT s.service_id, count(*) FROM metric_points p JOIN metric_series s ON s.id = p.series_id"
                          " WHERE p.id IN (SELECT id FROM doomed) GROUP BY s.service_id",
                          "metric_count", 'm', m_stats.metricsStored)
                   || more;
        }
        if (m_options.analysisRetentionSeconds > 0 && m_options.clock() - m_lastAnalysisRetention > 3600 * kNsPerSec) {
            expireAnalysis(m_options.clock() - m_options.analysisRetentionSeconds * kNsPerSec);
            m_lastAnalysisRetention = m_options.clock();
        }
        // Staged rows due for sealing: a v8 database's whole log table is compacted here, a chunk per step.
        more = m_chunks->sealStep(m_options.clock()) || more;
        more = m_chunks->groupKeyFilters() || more;
        if (!more && m_stats.dbBytes > m_options.maxDbBytes) {
            deleteOldest();
            refreshSizes();
            more = m_stats.dbBytes > m_options.maxDbBytes;
        }
        return more;
    }

    // glibc keeps freed pages; the analysis thread's heap trimmer trims idle heaps only once a minute, so
    // the released cache would stay resident that long (1,000 services: 165 MB idle, 130 after the trim).
    void releaseCache()
    {
        sqlite3_db_release_memory(m_db.handle());
#if defined(__GLIBC__)
        malloc_trim(0);
#endif
    }

    // Seals one service's staged rows when due and makes a run of key filters when one is full (between
    // commit groups, so both keep up with ingest); whether it did either.
    bool sealDue()
    {
        const std::int64_t staged = m_stats.logsStaged;
        bool grouped = false;
        try {
            m_chunks->sealStep(m_options.clock());
            grouped = m_chunks->groupKeyFilters();
        } catch (const std::exception &) {
            // Rolled back; the rows stay staged (the filters apart) and are tried again later.
        }
        return m_stats.logsStaged != staged || grouped;
    }

    void restartCompaction()
    {
        m_chunks->restartCompaction();
        m_metricChunks->restartCompaction();
    }

    // One step of the compaction of small log chunks, then of small metric chunks, then of giving free pages
    // back; whether more remains. An error rolls the step back (nothing merged) and ends this round: the
    // next idle period tries again.
    bool compactStep()
    {
        bool more = false;
        try {
            more = m_chunks->compactStep() || m_metricChunks->compactStep() || vacuumStep();
            if (more)
                walGrew(); // merging a backlog rewrites all of it: the WAL must not hold it all
        } catch (const std::exception &) {
        }
        m_stats.compactionPending = more;
        return more;
    }

    // A bounded batch of free pages (16 MB) moved off the end of the file, once there are more than a few.
    // A database from before auto_vacuum keeps its free pages for later writes to reuse.
    bool vacuumStep()
    {
        if (!m_incrementalVacuum || m_db.queryInt("PRAGMA freelist_count") < 256)
            return false;
        m_db.exec("PRAGMA incremental_vacuum(4096)");
        return true;
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

private:
    template <typename T>
    static std::vector<T> withoutDuplicates(std::vector<T> items, const std::vector<std::size_t> &dups)
    {
        for (auto it = dups.rbegin(); it != dups.rend(); ++it)
            items.erase(items.begin() + long(*it));
        return items;
    }

    std::pair<std::int64_t, std::int64_t> insertJob(const WriteJob &job, int &duplicates,
                                                    std::vector<std::size_t> &duplicateLogs,
                                                    std::vector<std::size_t> &duplicateMetrics)
    {
        const IngestBatch &batch = job.batch;
        std::unordered_map<std::int64_t, ServiceDelta> deltas;
        std::int64_t logs = 0, metrics = 0;
        std::string key;
        for (std::size_t index = 0; index < batch.logs.size(); ++index) {
            const LogRecord &r = batch.logs[index];
            const std::int64_t sid = serviceId(r.service, r.ts);
            const std::int64_t id = m_nextLogId;
            if (!r.signalId.empty() && !claimSignal('l', r.signalId, id, key)) {
                ++duplicates;
                duplicateLogs.push_back(index);
                continue;
            }
            m_chunks->add(sid, id, r);
            ++m_nextLogId;
            note(deltas[sid], r.ts, r.received).logs++;
            ++logs;
        }
        // A job's points become a chunk per service.
        std::vector<std::pair<std::int64_t, std::vector<MetricChunkPoint>>> pointsOf;
        std::unordered_map<std::int64_t, std::size_t> slotOf;
        for (std::size_t index = 0; index < batch.metrics.size(); ++index) {
            const MetricSample &m = batch.metrics[index];
            const std::int64_t sid = serviceId(m.service, m.ts);
            const std::int64_t series = seriesId(sid, m);
            const std::int64_t id = m_nextPointId;
            if (!m.signalId.empty() && !claimSignal('m', m.signalId, id, key)) {
                duplicates += m.startsItem ? 1 : 0;
                duplicateMetrics.push_back(index);
                continue;
            }
            const auto [slot, added] = slotOf.try_emplace(sid, pointsOf.size());
            if (added)
                pointsOf.emplace_back(sid, std::vector<MetricChunkPoint>{});
            pointsOf[slot->second].second.push_back({id, series, m.ts, m.received, m.value, m.signalId});
            ++m_nextPointId;
            note(deltas[sid], m.ts, m.received).metrics++;
            ++metrics;
        }
        for (auto &[sid, points] : pointsOf)
            m_metricChunks->write(sid, std::move(points));
        for (const KpiRollup &k : job.rollups)
            storeRollup(k);
        for (const AnomalyRecord &a : job.anomalies)
            storeAnomaly(a);
        for (const TemplateUpdate &t : job.templates) {
            Statement &w = *m_writeTemplate;
            w.bind(1, serviceId(t.service, t.firstSeen)).bind(2, t.id).bindText(3, t.text).bindText(4, t.sample);
            w.bind(5, int(t.maxLevel)).bind(6, t.firstSeen).bind(7, t.lastSeen).bind(8, std::int64_t(t.count));
            w.exec();
        }
        storeAlerting(job);
        for (const ServiceRegistration &reg : job.serviceRegistrations) {
            const TimeNs now = m_options.clock();
            serviceId(reg.name, now);
            Statement st(m_db.handle(), "INSERT INTO service_registrations(name, doc, registered, updated) VALUES(?1,?2,?3,?3)"
                                        " ON CONFLICT(name) DO UPDATE SET doc=excluded.doc, updated=excluded.updated");
            st.bindText(1, reg.name).bindText(2, reg.doc).bind(3, now);
            st.exec();
        }
        for (const auto &[key, value] : job.settings) {
            Statement set(m_db.handle(), "INSERT OR REPLACE INTO settings(key, value, updated) VALUES(?,?,?)");
            set.bindText(1, key).bindText(2, value).bind(3, m_options.clock());
            set.exec();
        }
        for (const TemplateMinute &c : job.templateMinutes) {
            Statement &w = *m_writeTemplateMinute;
            w.bind(1, serviceId(c.service, c.minute)).bind(2, c.id).bind(3, c.minute).bind(4, std::int64_t(c.count));
            w.bind(5, m_options.clock());
            w.exec();
        }
        for (const auto &[sid, d] : deltas) {
            m_updateService->bind(1, sid).bind(2, d.first).bind(3, d.last).bind(4, d.logs).bind(5, d.metrics);
            m_updateService->bind(6, d.received);
            m_updateService->exec();
        }
        return {logs, metrics};
    }

    void storeAlerting(const WriteJob &job)
    {
        const TimeNs now = m_options.clock();
        for (const auto &[id, doc] : job.rules) {
            if (doc.empty()) {
                Statement del(m_db.handle(), "DELETE FROM alert_rules WHERE id=?");
                del.bind(1, id).exec();
            } else {
                Statement put(m_db.handle(), "INSERT OR REPLACE INTO alert_rules(id, doc, updated) VALUES(?,?,?)");
                put.bind(1, id).bindText(2, doc).bind(3, now).exec();
            }
        }
        for (const Silence &s : job.silences) {
            Statement put(m_db.handle(), "INSERT OR REPLACE INTO silences(id, doc, ends_at) VALUES(?,?,?)");
            put.bind(1, s.id).bindText(2, QJsonDocument(s.toJson()).toJson(QJsonDocument::Compact).toStdString());
            put.bind(3, s.endsAt).exec();
        }
        for (std::int64_t id : job.deletedSilences) {
            Statement del(m_db.handle(), "DELETE FROM silences WHERE id=?");
            del.bind(1, id).exec();
        }
        for (const auto &[id, doc] : job.channels) {
            if (doc.empty()) {
                Statement del(m_db.handle(), "DELETE FROM channels WHERE id=?");
                del.bind(1, id).exec();
            } else {
                Statement put(m_db.handle(), "INSERT OR REPLACE INTO channels(id, doc, updated) VALUES(?,?,?)");
                put.bind(1, id).bindText(2, doc).bind(3, now).exec();
            }
        }
        for (const Delivery &d : job.deliveries) {
            Statement put(m_db.handle(), "UPDATE outbox SET state=?, attempts=?, next_attempt=?, last_error=?, "
                                         "delivered_at=? WHERE id=?");
            put.bindText(1, d.state).bind(2, d.attempts).bind(3, d.nextAttempt).bind(4, std::string_view(d.lastError));
            d.deliveredAt ? put.bind(5, d.deliveredAt) : put.bindNull(5);
            put.bind(6, d.id).exec();
            if (d.deliveredAt && !d.channelName.empty()) {
                // The alert lists each channel that received it once.
                Statement mark(m_db.handle(),
                               "UPDATE alerts SET channels = CASE WHEN channels = '' THEN ?1 "
                               "WHEN instr(';' || channels || ';', ';' || ?1 || ';') > 0 THEN channels "
                               "ELSE channels || ';' || ?1 END WHERE id = ?2");
                mark.bindText(1, d.channelName).bind(2, d.alertId).exec();
            }
        }
        const AlertChanges &c = job.alerts;
        if (c.empty())
            return;
        for (std::int64_t id : c.dropped) {
            Statement del(m_db.handle(), "DELETE FROM alerts WHERE id=?");
            del.bind(1, id).exec();
            Statement history(m_db.handle(), "DELETE FROM alert_transitions WHERE alert_id=?");
            history.bind(1, id).exec();
        }
        // `channels` (where notifications were delivered) belongs to the dispatcher: an update keeps it.
        Statement put(m_db.handle(),
                      "INSERT INTO alerts(id, rule_id, service, endpoint, reason, level, state, pending_since, "
                      "fired_at, resolved_at, explanation, acknowledged_by, acknowledged_at, ack_note, silenced, test, "
                      "channels, updated, incident_id, pages) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'',?,?,?) ON CONFLICT(id) DO UPDATE SET "
                      "rule_id=excluded.rule_id, service=excluded.service, endpoint=excluded.endpoint, "
                      "reason=excluded.reason, level=excluded.level, state=excluded.state, "
                      "pending_since=excluded.pending_since, fired_at=excluded.fired_at, resolved_at=excluded.resolved_at, "
                      "explanation=excluded.explanation, acknowledged_by=excluded.acknowledged_by, "
                      "acknowledged_at=excluded.acknowledged_at, ack_note=excluded.ack_note, silenced=excluded.silenced, "
                      "test=excluded.test, updated=excluded.updated, incident_id=excluded.incident_id, pages=excluded.pages");
        for (const Alert &a : c.alerts) {
            if (std::find(c.dropped.begin(), c.dropped.end(), a.id) != c.dropped.end())
                continue;
            put.bind(1, a.id).bind(2, a.ruleId).bindText(3, a.service).bindText(4, a.endpoint).bindText(5, a.reason);
            put.bindText(6, alertLevelName(a.level)).bindText(7, alertStateName(a.state)).bind(8, a.pendingSince);
            a.firedAt ? put.bind(9, a.firedAt) : put.bindNull(9);
            a.resolvedAt ? put.bind(10, a.resolvedAt) : put.bindNull(10);
            put.bindText(11, a.explanation).bind(12, std::string_view(a.acknowledgedBy));
            a.acknowledgedAt ? put.bind(13, a.acknowledgedAt) : put.bindNull(13);
            put.bind(14, std::string_view(a.ackNote)).bind(15, a.silenced ? 1 : 0).bind(16, a.test ? 1 : 0);
            put.bind(17, a.updated).bind(18, a.incidentId).bind(19, a.pages ? 1 : 0);
            put.exec();
        }
        Statement ack(m_db.handle(), "UPDATE alerts SET acknowledged_by=?, acknowledged_at=?, ack_note=?, updated=? WHERE id=?");
        for (const Acknowledgement &k : c.acknowledgements)
            ack.bindText(1, k.by).bind(2, k.at).bind(3, std::string_view(k.note)).bind(4, k.at).bind(5, k.alertId).exec();
        Statement incident(m_db.handle(),
                           "INSERT OR REPLACE INTO incidents(id, service, title, severity, opened_at, closed_at, "
                           "last_activity, alert_count, updated) VALUES(?,?,?,?,?,?,?,?,?)");
        for (const Incident &i : c.incidents) {
            incident.bind(1, i.id).bindText(2, i.service).bindText(3, i.title).bindText(4, alertLevelName(i.severity));
            incident.bind(5, i.openedAt);
            i.closedAt ? incident.bind(6, i.closedAt) : incident.bindNull(6);
            incident.bind(7, i.lastActivity).bind(8, i.alertCount).bind(9, i.updated).exec();
        }
        Statement step(m_db.handle(), "INSERT INTO alert_transitions(alert_id, at, wall, from_state, to_state, reason) "
                                      "VALUES(?,?,?,?,?,?)");
        for (const AlertTransition &t : c.transitions) {
            if (std::find(c.dropped.begin(), c.dropped.end(), t.alertId) != c.dropped.end())
                continue;
            step.bind(1, t.alertId).bind(2, t.at).bind(3, t.wall).bindText(4, t.from).bindText(5, t.to);
            step.bindText(6, t.reason).exec();
        }
        // One row per notification and channel: each channel's delivery has its own state and retries.
        Statement queue(m_db.handle(), "INSERT INTO outbox(alert_id, channel_id, kind, created, state, attempts, "
                                       "next_attempt) VALUES(?,?,?,?,'pending',0,?)");
        for (const NotificationIntent &n : c.notifications)
            for (std::int64_t channel : n.channelIds) {
                queue.bind(1, n.alertId).bind(2, channel).bindText(3, notificationKindName(n.kind));
                queue.bind(4, n.wall).bind(5, std::max(n.dueAt, n.wall)).exec();
            }
    }

    // Merges a closed minute (or a late part of one) into what is stored for it.
    void storeRollup(const KpiRollup &k)
    {
        const std::int64_t sid = serviceId(k.service, k.start);
        KpiRollup merged = k;
        m_findRollup->bind(1, sid).bindText(2, k.endpoint).bind(3, k.start);
        if (m_findRollup->step()) {
            KpiRollup stored;
            stored.events = std::uint64_t(m_findRollup->int64(0));
            stored.errorEvents = std::uint64_t(m_findRollup->int64(1));
            stored.requests = std::uint64_t(m_findRollup->int64(2));
            stored.requestErrors = std::uint64_t(m_findRollup->int64(3));
            stored.latency = DDSketch::fromBytes(m_findRollup->text(4));
            merged.merge(stored);
        }
        m_findRollup->reset();
        const std::string sketch = merged.latency.toBytes();
        Statement &w = *m_writeRollup;
        w.bind(1, sid).bindText(2, k.endpoint).bind(3, k.start);
        w.bind(4, std::int64_t(merged.events)).bind(5, std::int64_t(merged.errorEvents));
        w.bind(6, std::int64_t(merged.requests)).bind(7, std::int64_t(merged.requestErrors));
        w.bindBlob(8, sketch).bind(9, m_options.clock());
        w.exec();
    }

    void storeAnomaly(const AnomalyRecord &a)
    {
        Statement &w = *m_writeAnomaly;
        w.bind(1, serviceId(a.service, a.startedAt)).bindText(2, a.endpoint).bindText(3, a.kind).bind(4, a.startedAt);
        if (a.endedAt)
            w.bind(5, a.endedAt);
        else
            w.bindNull(5);
        w.bind(6, a.updatedAt).bind(7, a.score).bindText(8, indicatorsJson(a)).bindText(9, a.explanation);
        w.bindText(10, a.recommendation).bind(11, m_options.clock()).bindText(12, a.metric);
        w.exec();
    }

    static ServiceDelta &note(ServiceDelta &d, TimeNs ts, TimeNs received)
    {
        d.received = std::max(d.received, received);
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
    // Row ids are ours to hand out: the writer is the only one inserting, in arrival order.
    void forgetCaches()
    {
        m_services.clear();
        m_series.clear();
        m_nextLogId = std::max({m_nextLogId, m_db.queryInt("SELECT coalesce(max(id), 0) + 1 FROM logs"), m_chunks->maxId() + 1});
        m_nextPointId = std::max({m_nextPointId, m_db.queryInt("SELECT coalesce(max(id), 0) + 1 FROM metric_points"),
                                  m_metricChunks->maxId() + 1});
    }

    // Retention for one table. Rows are in arrival order and receive times grow with it, so the scan
    // starts at the oldest row and stops at the first one received after the cutoff. Rows received long
    // ago but carrying a future event time stay; `scannedBelow` remembers how far the scan has been so
    // they are not read again. True if the batch limit was reached (more may remain).
    bool expire(const std::string &table, std::int64_t &scannedBelow, TimeNs cutoff, const std::string &countSql,
                const char *counter, char kind, std::atomic<std::int64_t> &stored)
    {
        Statement scan(m_db.handle(), "SELECT id, ts, received FROM " + table + " WHERE id >= ? ORDER BY id LIMIT ?");
        scan.bind(1, scannedBelow).bind(2, kMaintenanceBatch);
        std::vector<std::int64_t> doomed;
        int examined = 0;
        bool reachedRecent = false;
        while (scan.step()) {
            ++examined;
            if (scan.int64(2) >= cutoff) {
                reachedRecent = true;
                break;
            }
            scannedBelow = scan.int64(0) + 1;
            if (scan.int64(1) < cutoff)
                doomed.push_back(scan.int64(0));
        }
        scan.reset();
        if (!doomed.empty())
            deleteRows(table, doomed, countSql, counter, kind, stored);
        return !reachedRecent && examined == kMaintenanceBatch;
    }

    // KPI minutes and resolved anomalies whose event time and write time are both older than the analysis
    // retention (default 90 days, longer than raw logs so weekly baselines and long reports keep working).
    // Per (service, route) ranges on the primary key, in one short transaction each.
    void expireAnalysis(TimeNs cutoff)
    {
        Statement keys(m_db.handle(), "SELECT DISTINCT service_id, endpoint FROM kpi_rollups");
        std::vector<std::pair<std::int64_t, std::string>> all;
        while (keys.step())
            all.emplace_back(keys.int64(0), std::string(keys.text(1)));
        keys.reset();
        Statement del(m_db.handle(), "DELETE FROM kpi_rollups WHERE service_id=? AND endpoint=? AND start < ? AND written < ?");
        for (const auto &[sid, endpoint] : all) {
            m_db.exec("BEGIN IMMEDIATE");
            del.bind(1, sid).bindText(2, endpoint).bind(3, cutoff).bind(4, cutoff);
            del.exec();
            m_db.exec("COMMIT");
        }
        m_db.exec("DELETE FROM anomalies WHERE ended_at IS NOT NULL AND ended_at < " + std::to_string(cutoff)
                  + " AND written < " + std::to_string(cutoff));
        m_db.exec("DELETE FROM template_counts WHERE minute < " + std::to_string(cutoff) + " AND written < "
                  + std::to_string(cutoff));
    }

    // Size cap: the oldest arrivals go first, from whichever table holds the older ones.
    void deleteOldest()
    {
        const std::int64_t maxTime = std::numeric_limits<std::int64_t>::max();
        const std::int64_t oldestLog =
            m_db.queryInt("SELECT coalesce((SELECT received FROM logs ORDER BY id LIMIT 1), 9223372036854775807)");
        const std::int64_t oldestPoint = m_db.queryInt(
            "SELECT coalesce((SELECT received FROM metric_points ORDER BY id LIMIT 1), 9223372036854775807)");
        const TimeNs oldestChunk = m_chunks->oldestChunkReceived();
        const TimeNs oldestMetricChunk = m_metricChunks->oldestReceived();
        if (oldestLog == maxTime && oldestPoint == maxTime && oldestChunk == maxTime && oldestMetricChunk == maxTime)
            return;
        if (oldestMetricChunk < oldestChunk && oldestMetricChunk <= oldestLog && oldestMetricChunk <= oldestPoint) {
            m_metricChunks->deleteOldest();
            return;
        }
        if (oldestChunk <= oldestLog && oldestChunk <= oldestPoint) {
            m_chunks->deleteOldest();
            return;
        }
        const bool logs = oldestLog <= oldestPoint;
        const std::string table = logs ? "logs" : "metric_points";
        Statement oldest(m_db.handle(), "SELECT id FROM " + table + " ORDER BY id LIMIT ?");
        oldest.bind(1, kMaintenanceBatch);
        std::vector<std::int64_t> doomed;
        while (oldest.step())
            doomed.push_back(oldest.int64(0));
        oldest.reset();
        if (logs)
            deleteRows(table, doomed,
                       "SELECT service_id, count(*) FROM logs WHERE id IN (SELECT id FROM doomed) GROUP BY service_id",
                       "log_count", 'l', m_stats.logsStored);
        else
            deleteRows(table, doomed,
                       "SELECT s.service_id, count(*) FROM metric_points p JOIN metric_series s ON s.id = p.series_id"
                       " WHERE p.id IN (SELECT id FROM doomed) GROUP BY s.service_id",
                       "metric_count", 'm', m_stats.metricsStored);
    }

    // Deletes the given rows in one transaction that keeps service counters and idempotency keys right.
    void deleteRows(const std::string &table, const std::vector<std::int64_t> &ids, const std::string &countSql,
                    const char *counter, char kind, std::atomic<std::int64_t> &stored)
    {
        m_db.exec("BEGIN IMMEDIATE");
        try {
            m_db.exec("CREATE TEMP TABLE IF NOT EXISTS doomed(id INTEGER PRIMARY KEY); DELETE FROM doomed");
            Statement add(m_db.handle(), "INSERT INTO doomed(id) VALUES(?)");
            for (std::int64_t id : ids) {
                add.bind(1, id);
                add.exec();
            }
            Statement counts(m_db.handle(), countSql);
            std::vector<std::pair<std::int64_t, std::int64_t>> perService;
            while (counts.step())
                perService.emplace_back(counts.int64(0), counts.int64(1));
            counts.reset();
            Statement dec(m_db.handle(), std::string("UPDATE services SET ") + counter + "=" + counter + "-? WHERE id=?");
            for (const auto &[sid, n] : perService) {
                dec.bind(1, n).bind(2, sid);
                dec.exec();
            }
            m_db.exec(std::string("DELETE FROM signal_ids WHERE row_id IN (SELECT id FROM doomed) AND key >= '") + kind
                      + ":' AND key < '" + kind + ";'");
            m_db.exec("DELETE FROM " + table + " WHERE id IN (SELECT id FROM doomed)");
            m_db.exec("DELETE FROM doomed");
            m_db.exec("COMMIT");
        } catch (const SqliteError &) {
            if (!sqlite3_get_autocommit(m_db.handle()))
                sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw;
        }
        stored -= std::int64_t(ids.size());
        m_stats.retentionDeleted += std::int64_t(ids.size());
        if (table == "logs")
            m_chunks->recountStaged();
    }


    const StoreOptions &m_options;
    StoreStats &m_stats;
    const Committed &m_observer;
    SqliteDb m_db;
    std::unique_ptr<WalCheckpointer> m_checkpointer; // after the schema exists
    int m_walFrames = 0;
    std::chrono::steady_clock::time_point m_nextRestartTry;
    static constexpr int kRestartWaitMs = 20, kMaxRestartWaitMs = 1000;
    int m_restartWaitMs = kRestartWaitMs;
    std::int64_t m_pageSize = 4096;
    bool m_incrementalVacuum = false; // a database created with auto_vacuum=INCREMENTAL
    std::unique_ptr<Statement> m_findRollup, m_writeRollup, m_writeAnomaly, m_writeTemplate, m_writeTemplateMinute;
    std::unique_ptr<LogChunkWriter> m_chunks;
    std::unique_ptr<MetricChunkWriter> m_metricChunks;
    std::unique_ptr<Statement> m_insertSignal, m_findService, m_insertService,
        m_updateService, m_findSeries, m_insertSeries;
    std::int64_t m_nextLogId = 1;
    std::int64_t m_nextPointId = 1;
    TimeNs m_lastAnalysisRetention = 0;
    std::int64_t m_logsExpiredBelow = 0; // retention has looked at every log row below this id
    std::int64_t m_pointsExpiredBelow = 0;
    std::unordered_map<std::string, std::int64_t> m_services;
    std::unordered_map<std::string, std::int64_t> m_series;
};

SqliteStoreWriter::SqliteStoreWriter(StoreOptions options) : m_options(std::move(options)) {}

SqliteStoreWriter::~SqliteStoreWriter() { stop(); }

bool SqliteStoreWriter::start(std::string *error)
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

void SqliteStoreWriter::submit(std::unique_ptr<WriteJob> job)
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
        job->done(WriteOutcome{false, 0, "storage is shutting down", false, {}});
}

void SqliteStoreWriter::stop()
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

void SqliteStoreWriter::runMaintenanceNow()
{
    std::unique_lock lock(m_mutex);
    if (!m_running)
        return;
    const int ticket = ++m_maintenanceRequests;
    m_wake.notify_one();
    m_maintenanceDone.wait(lock, [&] { return m_maintenanceCompleted >= ticket || !m_running; });
}

void SqliteStoreWriter::run(std::promise<std::string> *opened)
{
    std::unique_ptr<Session> session;
    try {
        session = std::make_unique<Session>(m_options, m_stats, m_observer);
    } catch (const std::exception &e) {
        opened->set_value(e.what());
        return;
    }
    m_stats.healthy = true;
    // Once at start: an older FlowGuard left its small chunks as they were (set before start() returns).
    const bool compaction = m_options.compactAfterIdleMs >= 0;
    bool compactionDue = compaction;
    m_stats.compactionPending = compaction;
    opened->set_value(std::string());

    auto nextMaintenance = std::chrono::steady_clock::now();
    bool maintenanceActive = true; // once at start
    std::vector<std::unique_ptr<WriteJob>> group;
    auto lastWork = nextMaintenance;
    auto lastGroup = nextMaintenance;
    const auto compactAfterIdle = std::chrono::milliseconds(std::max(0, m_options.compactAfterIdleMs));
    bool cacheHeld = true;
    auto startCompactionRound = [&] {
        compactionDue = true;
        m_stats.compactionPending = true;
        session->restartCompaction();
    };
    for (;;) {
        int maintenanceTicket = 0;
        {
            std::unique_lock lock(m_mutex);
            if (m_queue.empty() && !m_stopping && !maintenanceActive && m_maintenanceRequests == m_maintenanceCompleted) {
                auto until = m_stats.logsStaged > 0 ? std::min(nextMaintenance, std::chrono::steady_clock::now() + kSealCheck)
                                                    : nextMaintenance;
                if (cacheHeld)
                    until = std::min(until, lastWork + kReleaseCacheAfter);
                if (compactionDue)
                    until = std::min(until, lastGroup + compactAfterIdle);
                m_wake.wait_until(lock, until);
            }
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
        bool working = !group.empty() || maintenanceActive || maintenanceTicket;
        const bool hadGroup = !group.empty();
        if (hadGroup) {
            lastGroup = std::chrono::steady_clock::now();
            if (compaction)
                startCompactionRound();
            session->commitGroup(group);
            group.clear();
            // Sizes fresh after every commit group (three PRAGMAs and a stat), and the size cap enforced on
            // them at once rather than at the next maintenance interval: at full ingest rate half a minute
            // is more than a gigabyte.
            try {
                session->refreshSizes();
            } catch (const SqliteError &) {
                // The sizes stay as they were; the next group tries again.
            }
            if (m_stats.dbBytes > m_options.maxDbBytes)
                maintenanceActive = true;
        }
        working = session->sealDue() || working;
        const auto now = std::chrono::steady_clock::now();
        if (now >= nextMaintenance) {
            maintenanceActive = true;
            nextMaintenance = now + std::chrono::milliseconds(m_options.maintenanceIntervalMs);
        }
        const bool maintained = maintenanceTicket || maintenanceActive;
        try {
            if (maintenanceTicket) {
                while (session->maintenanceStep()) {
                }
                maintenanceActive = false;
            } else if (maintenanceActive) {
                maintenanceActive = session->maintenanceStep();
            }
        } catch (const std::exception &) { // SQLite errors, a damaged chunk
            maintenanceActive = false; // retried at the next interval
        }
        if (maintained && !maintenanceActive && compaction && !compactionDue)
            startCompactionRound(); // retention may have rewritten chunks and freed pages
        if (compactionDue && !hadGroup && !maintenanceActive && std::chrono::steady_clock::now() - lastGroup >= compactAfterIdle) {
            compactionDue = session->compactStep();
            working = true;
        }
        if (working) {
            lastWork = std::chrono::steady_clock::now();
            cacheHeld = true;
        } else if (cacheHeld && std::chrono::steady_clock::now() - lastWork >= kReleaseCacheAfter) {
            session->releaseCache();
            cacheHeld = false;
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
