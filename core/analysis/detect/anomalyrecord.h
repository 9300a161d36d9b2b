#pragma once

#include <string>
#include <vector>

#include "model/timestamp.h"

namespace fg {

// One signal behind an anomaly, with the numbers its explanation quotes (rounded once, here).
struct AnomalySignal {
    std::string name;  // p95_latency_ms, error_rate, throughput_rps, …
    double current = 0;
    double baseline = 0;
    double ratio = 0;  // current / baseline (0 when the baseline is 0)
    double sigma = 0;  // robust sigmas away from the baseline, in the bad direction
};

// A degradation as detected and explained; stored, listed by /api/anomalies, and what alerting reads.
struct AnomalyRecord {
    std::string service;
    std::string endpoint; // empty: the whole service
    std::string kind = "degradation"; // or "anomaly" (a metric series out of line)
    std::string metric;               // the metric series of an "anomaly": name{tags}
    TimeNs startedAt = 0; // event time of the first point of the run that raised it
    TimeNs endedAt = 0;   // 0 while open
    TimeNs updatedAt = 0; // event time of the latest point that touched it
    double score = 0;     // peak combined score in [0, 1]
    std::vector<AnomalySignal> indicators; // "signals" in the API (the word is a Qt macro)
    std::string explanation;
    std::string recommendation;
    std::vector<std::string> traceIds; // of failing events in its latest minutes (in memory: links incidents)
};

// The indicators as the JSON array the API returns (names are fixed identifiers, no escaping needed).
std::string indicatorsJson(const AnomalyRecord &a);

} // namespace fg
