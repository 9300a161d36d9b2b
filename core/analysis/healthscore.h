#pragma once

#include <optional>
#include <string>

#include "kpirollup.h"

namespace fg {

struct HealthInputs {
    std::optional<KpiRollup> recent;   // the last few closed minutes, merged
    std::optional<KpiRollup> baseline; // the hour before them, merged
    double sloP95Ms = 0;               // optional per-service latency SLO; 0: none
    double sloErrorRate = 0;           // optional per-service error-rate SLO; 0: none
    int openAnomalies = 0;
    double worstAnomalyScore = 0;      // [0, 1]
    bool fresh = true;                 // data received within the freshness window
};

struct HealthScore {
    std::optional<double> score; // 0–100; empty when there is no data
    std::string status;          // healthy | degraded | critical | no_data
    double errorPenalty = 0;
    double latencyPenalty = 0;
    double anomalyPenalty = 0;
    double errorRate = 0;
    double p95Ms = 0;
    double baselineP95Ms = 0;
};

// score = 100 − errors − latency − anomalies, clamped to [0, 100]:
//   errors    = min(50, 500 × error rate)                  (10 % errors cost 50 points), or when an
//               error-rate SLO is set and exceeded, min(50, 50 × (rate / SLO − 1)) if that is larger
//   latency   = min(30, 30 × max(0, p95 / baseline p95 − 1)), or when an SLO is set and p95 exceeds
//               it, min(30, 30 × (p95 / SLO − 1)) if that is larger (2× the baseline or the SLO costs 30)
//   anomalies = 20 × the worst open anomaly's score       (an open degradation costs up to 20)
// Status: healthy ≥ 80 > degraded ≥ 50 > critical, and at best degraded while an anomaly is open. The
// latency baseline is the hour before the open degradation when there is one (a long incident must not
// become its own baseline). No data received for the freshness window (10 min)
// is "no_data" with no score: silence is not health.
HealthScore computeHealth(const HealthInputs &in);

} // namespace fg
