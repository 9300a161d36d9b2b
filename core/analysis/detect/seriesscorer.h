#pragma once

#include <deque>

#include "seriesdetector.h"

namespace fg {

// Scores a generic metric series where either direction can be anomalous (CSV files given to
// `flowguard detect`): the stronger of a rising-is-bad and a falling-is-bad SeriesDetector (default
// parameters), turned into an anomaly likelihood — how unusual the last few points' evidence is against
// the long-run distribution of that evidence (Ahmad et al. 2017) — and, once it passes the alerting
// threshold, held at 0 for a while so one anomaly scores once, at its onset.
class SeriesScorer final {
public:
    // tests: which of SeriesDetector's tests to use (the defaults, unless measuring one's worth).
    explicit SeriesScorer(const SeriesDetector::Params &tests = {});
    // Score in [0, 1] for this point, from the points before it only. at: the point's time, for the
    // time-of-day and time-of-week profiles.
    double score(double value, TimeNs at = SeriesDetector::kNoTime);

    static constexpr double kAlertThreshold = 0.999;

private:
    SeriesDetector m_up;
    SeriesDetector m_down;
    std::deque<double> m_recent; // the last few points' evidence
    double m_mean = 0;           // exponentially weighted long-run mean and variance of the evidence
    double m_variance = 0;
    long m_points = 0;
    int m_quiet = 0; // points left to hold the score at 0 after an alert
};

} // namespace fg
