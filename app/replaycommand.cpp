#include "replaycommand.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QSettings>

#include <cstdio>
#include <map>

#include "analysis/detect/degradationdetector.h"
#include "analysis/detectionsettings.h"
#include "config/engineconfig.h"
#include "config/units.h"
#include "store/sqlitestorereader.h"

namespace {

void fail(const QString &message) { std::fprintf(stderr, "flowguard replay: %s\n", qPrintable(message)); }

QJsonObject anomalyJson(const fg::AnomalyRecord &a)
{
    return QJsonObject{
        {QStringLiteral("service"), QString::fromStdString(a.service)},
        {QStringLiteral("endpoint"), a.endpoint.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(a.endpoint))},
        {QStringLiteral("kind"), QString::fromStdString(a.kind)},
        {QStringLiteral("started_at"), QString::fromStdString(fg::formatIsoMs(a.startedAt))},
        {QStringLiteral("ended_at"), a.endedAt ? QJsonValue(QString::fromStdString(fg::formatIsoMs(a.endedAt))) : QJsonValue()},
        {QStringLiteral("score"), a.score},
        {QStringLiteral("signals"), QJsonDocument::fromJson(QByteArray::fromStdString(fg::indicatorsJson(a))).array()},
        {QStringLiteral("explanation"), QString::fromStdString(a.explanation)},
    };
}

} // namespace

int runReplayCommand(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Run stored KPI history through the detectors again."));
    p.addHelpOption();
    p.addOption({QStringLiteral("db"), QStringLiteral("Database (default: as flowguard resolves it)."), QStringLiteral("PATH")});
    p.addOption({QStringLiteral("service"), QStringLiteral("Only this service."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("range"), QStringLiteral("How far back from now (default: all history)."), QStringLiteral("DURATION")});
    p.process(arguments);

    QHash<QString, QString> flags;
    if (p.isSet(QStringLiteral("db")))
        flags.insert(QStringLiteral("db"), p.value(QStringLiteral("db")));
    QSettings settings;
    const fg::ConfigResult config = fg::resolveConfig(flags, QProcessEnvironment::systemEnvironment(), &settings);
    const QString db = config.config.dbPath;
    if (!QFileInfo::exists(db)) {
        fail(QStringLiteral("no database at %1").arg(db));
        return 1;
    }
    fg::TimeNs from = 0;
    if (p.isSet(QStringLiteral("range"))) {
        const auto seconds = fg::parseDurationSeconds(p.value(QStringLiteral("range")).toStdString());
        if (!seconds || *seconds <= 0) {
            fail(QStringLiteral("invalid --range '%1': expected a duration such as 7d").arg(p.value(QStringLiteral("range"))));
            return 2;
        }
        from = fg::nowNs() - *seconds * fg::kNsPerSec;
    }
    try {
        fg::SqliteStoreReader reader(db.toStdString());
        const fg::DetectionSettings tuning = fg::DetectionSettings::stored(reader.setting("detection"));
        const std::string only = p.value(QStringLiteral("service")).toStdString();
        int found = 0;
        for (const fg::ServiceInfo &svc : reader.services()) {
            if (!only.empty() && svc.name != only)
                continue;
            std::vector<std::string> keys{std::string()};
            for (const std::string &e : reader.kpiEndpoints(svc.name, from))
                keys.push_back(e);
            for (const std::string &endpoint : keys) {
                fg::DegradationDetector detector(svc.name, endpoint);
                detector.configure(tuning.forMinutes, tuning.clearMinutes, std::size_t(tuning.warmupMinutes),
                                   tuning.activeAt(), tuning.extremeAt());
                // One anomaly per start: keep its latest state.
                std::map<fg::TimeNs, fg::AnomalyRecord> anomalies;
                for (const fg::KpiRollup &k : reader.kpiRollups(svc.name, endpoint, from, fg::kMaxTimeNs))
                    if (auto a = detector.update(k))
                        anomalies[a->startedAt] = *a;
                for (const auto &[start, a] : anomalies) {
                    std::printf("%s\n", QJsonDocument(anomalyJson(a)).toJson(QJsonDocument::Compact).constData());
                    ++found;
                }
            }
        }
        std::fflush(stdout);
        std::fprintf(stderr, "flowguard replay: %d anomalies\n", found);
    } catch (const std::exception &e) {
        fail(QString::fromUtf8(e.what()));
        return 1;
    }
    return 0;
}
