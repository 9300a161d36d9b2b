#pragma once

#include <QStringList>

// `flowguard replay`: runs stored KPI minutes (late data included, as merged at storage) through the
// degradation detectors again with the stored detection settings, and prints one JSON line per anomaly
// found. Read-only: works beside a running instance; for tuning and backtests.
int runReplayCommand(const QStringList &arguments);
