#pragma once

#include <QMetaType>
#include <QString>

namespace fg {

// A snapshot of engine counters for the window and the command line; a plain value that crosses threads.
struct EngineStats {
    QString listenAddress;
    bool tls = false; // the listener speaks HTTPS only
    qint64 logsStored = 0;
    qint64 metricsStored = 0;
    qint64 requests = 0;
    qint64 itemsAccepted = 0;
    qint64 itemsRejected = 0;
    qint64 commits = 0;
    qint64 queueDepth = 0;
    qint64 inflightBytes = 0;
    qint64 dbBytes = 0;
    double itemsPerSecond = 0; // over the last stats interval
    qint64 analysisLagEvents = 0; // committed events analysis has yet to read
    bool analysisWarming = false; // detectors learning stored minutes after a start
};

} // namespace fg

Q_DECLARE_METATYPE(fg::EngineStats)
