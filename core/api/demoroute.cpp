#include "demoroute.h"

#include <QJsonObject>

#include "analysis/analysisworker.h"
#include "apierror.h"
#include "model/demodata.h"

namespace fg {

void clearDemoData(AnalysisWorker *analysis, const HttpResponder &responder)
{
    analysis->purgeServices(kDemoServicePrefix, [responder](const WriteOutcome &outcome) {
        if (!outcome.ok)
            return responder.send(apiError(outcome.diskFull ? 507 : 500,
                                           QStringLiteral("demo data not cleared: %1").arg(QString::fromStdString(outcome.error))));
        const PurgeCounts &n = outcome.purged;
        responder.send(jsonResponse(200, QJsonObject{{QStringLiteral("services"), qint64(n.services)},
                                                     {QStringLiteral("logs"), qint64(n.logs)},
                                                     {QStringLiteral("metric_points"), qint64(n.points)},
                                                     {QStringLiteral("kpi_minutes"), qint64(n.rollups)},
                                                     {QStringLiteral("anomalies"), qint64(n.anomalies)},
                                                     {QStringLiteral("alerts"), qint64(n.alerts)},
                                                     {QStringLiteral("incidents"), qint64(n.incidents)}}));
    });
}

} // namespace fg
