#include "replaycommand.h"

#include "commandsupport.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <map>

#include "analysis/detect/degradationdetector.h"
#include "analysis/detectionsettings.h"
#include "store/sqlitestorereader.h"

namespace {

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
    addDatabaseOptions(p);
    p.addOption({QStringLiteral("service"), QStringLiteral("Only this service."), QStringLiteral("NAME")});
    p.process(arguments);
    const auto db = existingDatabase(p, "replay");
    if (!db)
        return 1;
    const auto from = rangeStart(p, "replay");
    if (!from)
        return 2;
    try {
        fg::SqliteStoreReader reader(db->toStdString());
        const fg::DetectionSettings tuning = fg::DetectionSettings::stored(reader.setting("detection"));
        const std::string only = p.value(QStringLiteral("service")).toStdString();
        int found = 0;
        for (const fg::ServiceInfo &svc : reader.services()) {
            if (!only.empty() && svc.name != only)
                continue;
            std::vector<std::string> keys{std::string()};
            for (const std::string &e : reader.kpiEndpoints(svc.name, *from))
                keys.push_back(e);
            for (const std::string &endpoint : keys) {
                fg::DegradationDetector detector(svc.name, endpoint);
                detector.configure(tuning.forMinutes, tuning.clearMinutes, std::size_t(tuning.warmupMinutes),
                                   tuning.activeAt(), tuning.extremeAt());
                // One anomaly per start: keep its latest state.
                std::map<fg::TimeNs, fg::AnomalyRecord> anomalies;
                for (const fg::KpiRollup &k : reader.kpiRollups(svc.name, endpoint, *from, fg::kMaxTimeNs))
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
        commandError("replay", QString::fromUtf8(e.what()));
        return 1;
    }
    return 0;
}
