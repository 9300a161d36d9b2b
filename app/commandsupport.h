#pragma once

#include <QCommandLineParser>
#include <QString>

#include <optional>

#include "model/timestamp.h"

// Shared by the offline subcommands (replay, export-alerts): the --db and --range options and their
// resolution. Messages go to stderr prefixed with "flowguard <tool>:".
void addDatabaseOptions(QCommandLineParser &parser);
void commandError(const char *tool, const QString &message);
// The database as flowguard resolves it (flag > env > settings > default), whether it exists or not.
QString resolvedDatabase(const QCommandLineParser &parser);
// The same; nullopt (after a message) when it does not exist.
std::optional<QString> existingDatabase(const QCommandLineParser &parser, const char *tool);
// Start of --range back from now; 0 without it; nullopt (after a message) when invalid.
std::optional<fg::TimeNs> rangeStart(const QCommandLineParser &parser, const char *tool);
