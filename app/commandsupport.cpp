#include "commandsupport.h"

#include <QFileInfo>
#include <QProcessEnvironment>
#include <QSettings>

#include <cstdio>

#include "config/engineconfig.h"
#include "config/units.h"

void addDatabaseOptions(QCommandLineParser &p)
{
    p.addOption({QStringLiteral("db"), QStringLiteral("Database (default: as flowguard resolves it)."), QStringLiteral("PATH")});
    p.addOption({QStringLiteral("range"), QStringLiteral("How far back from now (default: all history)."), QStringLiteral("DURATION")});
}

void commandError(const char *tool, const QString &message)
{
    std::fprintf(stderr, "flowguard %s: %s\n", tool, qPrintable(message));
}

QString resolvedDatabase(const QCommandLineParser &p)
{
    QHash<QString, QString> flags;
    if (p.isSet(QStringLiteral("db")))
        flags.insert(QStringLiteral("db"), p.value(QStringLiteral("db")));
    QSettings settings;
    return fg::resolveConfig(flags, QProcessEnvironment::systemEnvironment(), &settings).config.dbPath;
}

std::optional<QString> existingDatabase(const QCommandLineParser &p, const char *tool)
{
    const QString db = resolvedDatabase(p);
    if (!QFileInfo::exists(db)) {
        commandError(tool, QStringLiteral("no database at %1").arg(db));
        return std::nullopt;
    }
    return db;
}

std::optional<fg::TimeNs> rangeStart(const QCommandLineParser &p, const char *tool)
{
    if (!p.isSet(QStringLiteral("range")))
        return 0;
    const auto seconds = fg::parseDurationSeconds(p.value(QStringLiteral("range")).toStdString());
    if (!seconds || *seconds <= 0) {
        commandError(tool, QStringLiteral("invalid --range '%1': expected a duration such as 7d").arg(p.value(QStringLiteral("range"))));
        return std::nullopt;
    }
    return fg::nowNs() - *seconds * fg::kNsPerSec;
}
