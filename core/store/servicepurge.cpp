#include "servicepurge.h"

#include "logchunkwriter.h"
#include "metricchunks.h"
#include "sqlitedb.h"

namespace fg {

namespace {

// Binds the prefix as ?1 and runs a statement; the number of rows it changed.
std::int64_t run(SqliteDb &db, const std::string &sql, const std::string &prefix)
{
    Statement s(db.handle(), sql);
    s.bindText(1, prefix);
    s.exec();
    return db.changes();
}

} // namespace

PurgeCounts purgeServices(SqliteDb &db, LogChunkWriter &chunks, MetricChunkWriter &metricChunks, const std::string &prefix)
{
    PurgeCounts n;
    if (prefix.empty())
        return n; // an empty prefix would match every service
    // A byte-wise prefix test: LIKE folds case and treats '_' as a wildcard.
    const std::string match = "substr(name, 1, length(?1)) = ?1";
    db.exec("CREATE TEMP TABLE IF NOT EXISTS purged_services(id INTEGER PRIMARY KEY); DELETE FROM purged_services");
    n.services = run(db, "INSERT INTO purged_services(id) SELECT id FROM services WHERE " + match, prefix);
    if (n.services > 0) {
        // Idempotency keys point at rows by id; logs' and points' keys are told apart by their kind prefix.
        db.exec("DELETE FROM signal_ids WHERE key >= 'l:' AND key < 'l;' AND row_id IN"
                " (SELECT id FROM logs WHERE service_id IN (SELECT id FROM purged_services))");
        db.exec("DELETE FROM logs WHERE service_id IN (SELECT id FROM purged_services)");
        n.logs = db.changes();
        std::vector<std::int64_t> ids;
        Statement purged(db.handle(), "SELECT id FROM purged_services");
        while (purged.step())
            ids.push_back(purged.int64(0));
        n.logs += chunks.forgetServices(ids);
        db.exec("DELETE FROM signal_ids WHERE key >= 'm:' AND key < 'm;' AND row_id IN (SELECT p.id FROM metric_points p"
                " JOIN metric_series s ON s.id = p.series_id WHERE s.service_id IN (SELECT id FROM purged_services))");
        db.exec("DELETE FROM metric_points WHERE series_id IN"
                " (SELECT id FROM metric_series WHERE service_id IN (SELECT id FROM purged_services))");
        n.points = db.changes();
        n.points += metricChunks.forgetServices(ids);
        db.exec("DELETE FROM metric_series WHERE service_id IN (SELECT id FROM purged_services)");
        db.exec("DELETE FROM kpi_rollups WHERE service_id IN (SELECT id FROM purged_services)");
        n.rollups = db.changes();
        db.exec("DELETE FROM anomalies WHERE service_id IN (SELECT id FROM purged_services)");
        n.anomalies = db.changes();
        db.exec("DELETE FROM template_counts WHERE service_id IN (SELECT id FROM purged_services)");
        db.exec("DELETE FROM templates WHERE service_id IN (SELECT id FROM purged_services)");
        db.exec("DELETE FROM services WHERE id IN (SELECT id FROM purged_services)");
    }
    // Alerts and incidents name their service; they may outlive its rows (retention), so they go by name.
    const std::string byService = "substr(service, 1, length(?1)) = ?1";
    run(db, "DELETE FROM alert_transitions WHERE alert_id IN (SELECT id FROM alerts WHERE " + byService + ")", prefix);
    run(db, "DELETE FROM outbox WHERE alert_id IN (SELECT id FROM alerts WHERE " + byService + ")", prefix);
    n.alerts = run(db, "DELETE FROM alerts WHERE " + byService, prefix);
    n.incidents = run(db, "DELETE FROM incidents WHERE " + byService, prefix);
    run(db, "DELETE FROM service_registrations WHERE " + match, prefix);
    db.exec("DELETE FROM purged_services");
    return n;
}

} // namespace fg
