#pragma once

#include <QStringList>

// `flowguard detect`: scores `timestamp,value` CSV series offline with the live engine's detector code
// and defaults, one `timestamp,value,anomaly_score` row per input row (timestamps echoed verbatim,
// scores causal). --input/--output for one file, --nab-root/--output for every CSV under DIR/data/.
int runDetectCommand(const QStringList &arguments);
