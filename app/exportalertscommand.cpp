#include "exportalertscommand.h"

#include <QSaveFile>

#include <cstdio>

#include "alerting/alertcsv.h"
#include "commandsupport.h"
#include "store/sqlitestorereader.h"

int runExportAlertsCommand(const QStringList &arguments)
{
    constexpr const char *kTool = "export-alerts";
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Export the alert history as CSV."));
    p.addHelpOption();
    addDatabaseOptions(p);
    p.addOption({QStringLiteral("output"), QStringLiteral("CSV file to write (- for standard output)."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("service"), QStringLiteral("Only this service."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("level"), QStringLiteral("At least this level: info, warning, error or critical."),
                 QStringLiteral("LEVEL")});
    p.process(arguments);
    if (!p.isSet(QStringLiteral("output"))) {
        commandError(kTool, QStringLiteral("give --output FILE.csv (or - for standard output)"));
        return 2;
    }
    fg::AlertQuery q;
    q.service = p.value(QStringLiteral("service")).toStdString();
    q.level = p.value(QStringLiteral("level")).toLower().toStdString();
    if (!q.level.empty() && !fg::parseAlertLevel(q.level)) {
        commandError(kTool, QStringLiteral("invalid --level '%1': expected info, warning, error or critical").arg(p.value(QStringLiteral("level"))));
        return 2;
    }
    const auto from = rangeStart(p, kTool);
    if (!from)
        return 2;
    const auto db = existingDatabase(p, kTool);
    if (!db)
        return 1;
    q.window.from = *from;
    q.window.to = fg::kMaxTimeNs;
    q.window.limit = 1000;
    std::string csv = fg::alertCsvHeader();
    int rows = 0;
    try {
        fg::SqliteStoreReader reader(db->toStdString());
        const fg::TimeNs now = fg::nowNs();
        for (;;) {
            const fg::Page<fg::Alert> page = reader.alerts(q);
            for (const fg::Alert &a : page.items) {
                csv += fg::alertCsvRow(a, now);
                ++rows;
            }
            if (!page.nextCursor)
                break;
            q.window.after = page.nextCursor;
        }
    } catch (const std::exception &e) {
        commandError(kTool, QString::fromUtf8(e.what()));
        return 1;
    }
    const QString output = p.value(QStringLiteral("output"));
    if (output == QLatin1String("-")) {
        std::fwrite(csv.data(), 1, csv.size(), stdout);
        std::fflush(stdout);
    } else {
        // Written whole or not at all.
        QSaveFile file(output);
        if (!file.open(QIODevice::WriteOnly) || file.write(csv.data(), qint64(csv.size())) != qint64(csv.size()) || !file.commit()) {
            commandError(kTool, QStringLiteral("cannot write %1: %2").arg(output, file.errorString()));
            return 1;
        }
    }
    std::fprintf(stderr, "flowguard export-alerts: %d alerts\n", rows);
    return 0;
}
