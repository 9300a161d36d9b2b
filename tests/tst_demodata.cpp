// flowguard demo-data: hours of tagged demo history through the real listener, the asked span and counts,
// and a degradation that replay finds again.

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include "model/timestamp.h"
#include "store/sqlitedb.h"
#include "store/sqlitestorereader.h"

#include <limits>

class TstDemoData : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_home;

    QProcessEnvironment env() const
    {
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("HOME"), m_home.path());
        e.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        e.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
        for (const QString &k : e.keys())
            if (k.startsWith(QStringLiteral("FLOWGUARD_")) || k == QLatin1String("DISPLAY") || k == QLatin1String("WAYLAND_DISPLAY"))
                e.remove(k);
        return e;
    }

private slots:
    void writesTheAskedHoursWithADegradationReplayFinds()
    {
        const QString db = m_home.filePath(QStringLiteral("history.db"));
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(QStringLiteral(FLOWGUARD_BIN), {QStringLiteral("demo-data"), QStringLiteral("--hours"), QStringLiteral("6"),
                                                QStringLiteral("--db"), db});
        QVERIFY(p.waitForFinished(240000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(p.exitCode() == 0, qPrintable(out + QString::fromUtf8(p.readAllStandardError())));
        // "flowguard demo-data: N events (N accepted) from … to … in S s into PATH"
        const auto m = QRegularExpression(QStringLiteral("(\\d+) events \\((\\d+) accepted\\).* in ([0-9.]+) s")).match(out);
        QVERIFY2(m.hasMatch(), qPrintable(out));
        const qint64 events = m.captured(1).toLongLong();
        QCOMPARE(m.captured(2).toLongLong(), events);
        QVERIFY2(events > 20000, qPrintable(out));

        fg::SqliteDb sql(db.toStdString(), fg::SqliteDb::Mode::ReadOnly);
        QCOMPARE(sql.queryInt("SELECT count(*) FROM services WHERE substr(name,1,5) = 'demo-'"), 5);
        QCOMPARE(sql.queryInt("SELECT count(*) FROM services"), 5);
        // Every stored event (staged rows and chunks alike), read in commit order: tagged, within the span.
        fg::SqliteStoreReader reader(db.toStdString());
        qint64 stored = 0, tagged = 0, first = std::numeric_limits<qint64>::max(), last = 0;
        for (std::int64_t after = 0;;) {
            const std::vector<fg::StoredLog> page = reader.logsInCommitOrder(after, std::numeric_limits<std::int64_t>::max(), 5000);
            if (page.empty())
                break;
            for (const fg::StoredLog &l : page) {
                ++stored;
                tagged += QJsonDocument::fromJson(QByteArray::fromStdString(l.record.attributes)).object()
                              .value(QStringLiteral("demo")) == QJsonValue(true) ? 1 : 0;
                first = std::min<qint64>(first, l.record.ts);
                last = std::max<qint64>(last, l.record.ts);
            }
            after = page.back().id;
        }
        QCOMPARE(stored, events);
        QCOMPARE(tagged, events);
        // Six hours ending at the last whole minute before the run.
        const qint64 minuteNs = 60 * fg::kNsPerSec;
        const qint64 endNs = (before / 60000) * minuteNs;
        QVERIFY2(first >= endNs - 6 * 60 * minuteNs && first < endNs - 6 * 60 * minuteNs + minuteNs, qPrintable(QString::number(first)));
        QVERIFY(last < endNs + minuteNs && last >= endNs - minuteNs);
        // Every minute of every service was analysed: KPI minutes cover the span.
        const qint64 minutes = sql.queryInt("SELECT count(DISTINCT start) FROM kpi_rollups WHERE endpoint = ''");
        QVERIFY2(minutes >= 6 * 60 - 1, qPrintable(QString::number(minutes)));

        // Replay runs the stored minutes through the detectors again: the creeping service degrades.
        QProcess replay;
        replay.setProcessEnvironment(env());
        replay.start(QStringLiteral(FLOWGUARD_BIN), {QStringLiteral("replay"), QStringLiteral("--db"), db,
                                                     QStringLiteral("--service"), QStringLiteral("demo-checkout")});
        QVERIFY(replay.waitForFinished(120000));
        QCOMPARE(replay.exitCode(), 0);
        bool degraded = false;
        for (const QByteArray &line : replay.readAllStandardOutput().split('\n')) {
            const QJsonObject a = QJsonDocument::fromJson(line).object();
            // The service as a whole, during the last hours where the creep is.
            if (a.value(QStringLiteral("kind")) == QLatin1String("degradation") && a.value(QStringLiteral("endpoint")).isNull()
                && QDateTime::fromString(a.value(QStringLiteral("started_at")).toString(), Qt::ISODateWithMs).toMSecsSinceEpoch()
                       >= before - 3 * 3600 * 1000)
                degraded = true;
        }
        QVERIFY(degraded);
        // The same story is stored by the live analysis too.
        QVERIFY(sql.queryInt("SELECT count(*) FROM anomalies a JOIN services s ON s.id = a.service_id"
                             " WHERE s.name = 'demo-checkout' AND a.kind = 'degradation'") > 0);
    }

    void refusesBadHours()
    {
        QProcess p;
        p.setProcessEnvironment(env());
        p.start(QStringLiteral(FLOWGUARD_BIN), {QStringLiteral("demo-data"), QStringLiteral("--hours"), QStringLiteral("0"),
                                                QStringLiteral("--db"), m_home.filePath(QStringLiteral("none.db"))});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("--hours"));
    }
};

QTEST_GUILESS_MAIN(TstDemoData)
#include "tst_demodata.moc"
