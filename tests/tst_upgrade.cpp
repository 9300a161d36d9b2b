// Upgrades keep the user's data: a database of the previous release's schema (version 7, before alerts
// recorded whether they paged) migrates on the first start of this FlowGuard and serves what it held.

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "model/timestamp.h"
#include "store/schema.h"
#include "store/sqlitedb.h"
#include "testhttpclient.h"

namespace {

// Version 8 (the previous release) is today's schema without what versions 9 to 13 added (the log chunk
// tables, service registrations, key filter runs, the index of small chunks, metric chunks), which SQLite
// can take away; its logs are rows of the logs table, its metric points rows of metric_points.
void writePreviousRelease(const std::string &path, fg::TimeNs t)
{
    fg::SqliteDb db(path, fg::SqliteDb::Mode::ReadWrite);
    fg::migrateSchema(db);
    db.exec("DROP TABLE log_chunks; DROP TABLE log_chunk_keys; DROP TABLE service_registrations; DROP TABLE log_key_groups; DROP TABLE log_key_slices; DROP TABLE metric_chunks; PRAGMA user_version = 8");
    QCOMPARE(fg::kSchemaVersion, 13); // a later version needs its own previous-release fixture
    const std::string ts = std::to_string(t);
    db.exec("INSERT INTO services(id, name, first_seen, last_seen, last_received, log_count) VALUES(1, 'billing', " + ts
            + ", " + ts + ", " + ts + ", 2)");
    db.exec("INSERT INTO logs(id, ts, received, service_id, level, message, latency_ms, status_code, endpoint, attributes)"
            " VALUES(1, " + ts + ", " + ts + ", 1, 5, 'invoice run failed: timeout', 950, 500, '/invoices', '{\"tenant\":\"a\"}'),"
            " (2, " + ts + ", " + ts + ", 1, 3, 'invoice run ok', 40, 200, '/invoices', NULL)");
    db.exec("UPDATE services SET metric_count = 2 WHERE id = 1");
    db.exec("INSERT INTO metric_series(id, service_id, name, type, tags) VALUES(1, 1, 'queue_depth', 0, '{}')");
    db.exec("INSERT INTO metric_points(id, series_id, ts, value, received) VALUES(1, 1, " + ts + ", 12, " + ts + "), (2, 1, "
            + ts + ", 15, " + ts + ")");
    db.exec("INSERT INTO alerts(id, rule_id, service, endpoint, reason, level, state, pending_since, fired_at, resolved_at,"
            " explanation, silenced, test, channels, updated, incident_id) VALUES(40, 5, 'billing', '', 'High error rate',"
            " 'warning', 'resolved', " + ts + ", " + ts + ", " + ts + ", 'error rate 50 %', 0, 0, '[]', " + ts + ", 41)");
    db.exec("INSERT INTO incidents(id, service, title, severity, opened_at, closed_at, last_activity, alert_count, updated)"
            " VALUES(41, 'billing', 'High error rate', 'warning', " + ts + ", " + ts + ", " + ts + ", 1, " + ts + ")");
    db.exec("INSERT INTO settings(key, value, updated) VALUES('detection', '{\"sensitivity\":\"high\"}', " + ts + ")");
}

} // namespace

class TstUpgrade : public QObject {
    Q_OBJECT

private slots:
    void previousReleaseDatabaseMigratesKeepingItsData()
    {
        QTemporaryDir home;
        const QString path = home.filePath(QStringLiteral("old.db"));
        const fg::TimeNs t = fg::nowNs() - 3600 * fg::kNsPerSec;
        writePreviousRelease(path.toStdString(), t);

        QProcess p;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("HOME"), home.path());
        e.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        e.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        for (const QString &k : e.keys())
            if (k.startsWith(QStringLiteral("FLOWGUARD_")))
                e.remove(k);
        p.setProcessEnvironment(e);
        p.start(QStringLiteral(FLOWGUARD_BIN), {QStringLiteral("--headless"), QStringLiteral("--listen"),
                                                QStringLiteral("127.0.0.1:0"), QStringLiteral("--db"), path});
        QVERIFY(p.waitForStarted(10000));
        while (!p.canReadLine())
            QVERIFY2(p.waitForReadyRead(20000), p.readAllStandardError().constData());
        const auto m = QRegularExpression(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)")).match(QString::fromUtf8(p.readLine()));
        QVERIFY(m.hasMatch());
        TestHttpClient client(quint16(m.captured(1).toUInt()));

        const QJsonArray logs = client.get("/api/logs?service=billing&range=7d").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(logs.size(), 2);
        QCOMPARE(logs.at(0).toObject().value(QStringLiteral("service")).toString(), QStringLiteral("billing"));
        bool sawAttributes = false;
        for (const QJsonValue &v : logs)
            sawAttributes |= v.toObject().value(QStringLiteral("attributes")).toObject().value(QStringLiteral("tenant")) == QLatin1String("a");
        QVERIFY(sawAttributes);
        const QJsonObject alert = client.get("/api/alerts/40").json();
        QCOMPARE(alert.value(QStringLiteral("reason")).toString(), QStringLiteral("High error rate"));
        QCOMPARE(alert.value(QStringLiteral("state")).toString(), QStringLiteral("resolved"));
        QCOMPARE(client.get("/api/incidents?range=7d").json().value(QStringLiteral("items")).toArray().size(), 1);
        QCOMPARE(client.get("/api/settings/detection").json().value(QStringLiteral("sensitivity")).toString(), QStringLiteral("high"));
        // New data goes in beside the old.
        QCOMPARE(client.post("/api/ingest/logs", "{\"service\":\"billing\",\"message\":\"after the upgrade\"}").status, 202);
        QCOMPARE(client.get("/api/logs?service=billing&range=7d").json().value(QStringLiteral("items")).toArray().size(), 3);
        QCOMPARE(client.get("/api/metrics?service=billing&name=queue_depth&range=7d").json().value(QStringLiteral("items")).toArray().size(), 2);
        QCOMPARE(client.post("/api/ingest/metrics", "{\"service\":\"billing\",\"name\":\"queue_depth\",\"value\":3}").status, 202);
        const QJsonArray points = client.get("/api/metrics?service=billing&name=queue_depth&range=7d").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(points.size(), 3);
        QCOMPARE(points.at(0).toObject().value(QStringLiteral("value")).toDouble(), 3.0); // the newest first
        // So do the tables of later versions (service registrations, version 10).
        QCOMPARE(client.post("/api/logs/services/register", "{\"service_name\":\"ledger\",\"team\":\"finance\"}").status, 200);

        p.terminate();
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 0);
        fg::SqliteDb db(path.toStdString(), fg::SqliteDb::Mode::ReadOnly);
        QCOMPARE(db.queryInt("PRAGMA user_version"), fg::kSchemaVersion);
        QCOMPARE(db.queryInt("SELECT pages FROM alerts WHERE id = 40"), 1);
        // Staged rows or, once compacted in the background, a chunk.
        QCOMPARE(db.queryInt("SELECT (SELECT count(*) FROM logs) + (SELECT coalesce(sum(count), 0) FROM log_chunks)"), 3);
        QCOMPARE(db.queryInt("SELECT (SELECT count(*) FROM metric_points) + (SELECT sum(count) FROM metric_chunks)"), 3);
    }
};

QTEST_GUILESS_MAIN(TstUpgrade)
#include "tst_upgrade.moc"
