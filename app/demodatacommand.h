#pragma once

#include <QStringList>

// flowguard demo-data --hours N [--db PATH]: N hours of demo history, ending now, with a gradual
// degradation in the last hours, ingested through FlowGuard's own listener with event timestamps.
int runDemoDataCommand(const QStringList &arguments);
