#include "healthscore.h"

#include <algorithm>
#include <cmath>

namespace fg {

HealthScore computeHealth(const HealthInputs &in)
{
    HealthScore h;
    if (!in.fresh || !in.recent || in.recent->events == 0) {
        h.status = "no_data";
        return h;
    }
    const KpiRollup &r = *in.recent;
    h.errorRate = r.errorRate();
    h.errorPenalty = std::min(50.0, 500.0 * h.errorRate);
    if (in.sloErrorRate > 0 && h.errorRate > in.sloErrorRate)
        h.errorPenalty = std::max(h.errorPenalty, std::min(50.0, 50.0 * (h.errorRate / in.sloErrorRate - 1)));
    if (!r.latency.empty()) {
        h.p95Ms = r.latency.quantile(0.95);
        if (in.baseline && !in.baseline->latency.empty()) {
            h.baselineP95Ms = in.baseline->latency.quantile(0.95);
            if (h.baselineP95Ms > 0)
                h.latencyPenalty = std::min(30.0, 30.0 * std::max(0.0, h.p95Ms / h.baselineP95Ms - 1));
        }
        if (in.sloP95Ms > 0 && h.p95Ms > in.sloP95Ms)
            h.latencyPenalty = std::max(h.latencyPenalty, std::min(30.0, 30.0 * (h.p95Ms / in.sloP95Ms - 1)));
    }
    h.anomalyPenalty = in.openAnomalies > 0 ? 20.0 * std::clamp(in.worstAnomalyScore, 0.0, 1.0) : 0.0;
    const double score = std::clamp(100.0 - h.errorPenalty - h.latencyPenalty - h.anomalyPenalty, 0.0, 100.0);
    h.score = std::round(score * 10) / 10;
    h.status = score >= 80 ? "healthy" : score >= 50 ? "degraded" : "critical";
    if (in.openAnomalies > 0 && h.status == "healthy")
        h.status = "degraded"; // an open degradation is never healthy, however mild its numbers
    return h;
}

} // namespace fg
