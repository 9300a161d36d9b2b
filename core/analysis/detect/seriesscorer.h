#pragma once

#include <deque>
#include <limits>

#include "seriesdetector.h"

namespace fg {

// Scores a generic metric series where either direction can be anomalous (CSV files given to
// `flowguard detect`): the stronger of a rising-is-bad and a falling-is-bad SeriesDetector (default
// parameters), turned into an anomaly likelihood — how unusual the last few points' evidence is against
// the long-run distribution of that evidence (Ahmad et al. 2017) — and, once it passes the alerting
// threshold, held at 0 for a while so one anomaly scores once, at its onset.
// The likelihood alerts only on a record: evidence no stronger than some within the long-run horizon, or
// than the last likelihood alert's within a longer memory, was already judged there (recurring bursts are
// the series' normal). A value outside the whole range seen so far (by a twentieth of its width) alerts at
// once, whatever the evidence and even while held (the spatial anomaly of Numenta's NAB detector): the
// detectors' robust baselines can take a new extreme for merely a few sigmas. Outside a hold it starts one.
class SeriesScorer final {
public:
    struct Params {
        SeriesDetector::Params tests; // which of SeriesDetector's tests to use
        bool record = true; // the likelihood alerts only on the strongest evidence of the horizon and memory
        bool range = true;            // a value outside the range seen so far alerts
    };
    // params: the defaults (Params{}), unless measuring a part's worth.
    explicit SeriesScorer(const Params &params);
    // Score in [0, 1] for this point, from the points before it only. at: the point's time, for the
    // time-of-day and time-of-week profiles.
    double score(double value, TimeNs at = SeriesDetector::kNoTime);

    static constexpr double kAlertThreshold = 0.999;

private:
    Params m_p;
    SeriesDetector m_up;
    SeriesDetector m_down;
    std::deque<double> m_recent;  // the last few points' evidence
    std::deque<double> m_horizon; // the short-window evidence over the long-run horizon
    double m_mean = 0;            // exponentially weighted long-run mean and variance of the evidence
    double m_variance = 0;
    double m_min = NAN, m_max = NAN; // range of the values so far
    long m_points = 0;
    int m_quiet = 0; // points left to hold the score at 0 after an alert
    double m_lastAlert = 0;                             // short-window evidence of the last likelihood alert
    long m_sinceAlert = std::numeric_limits<long>::max() / 2; // points since then (none yet: long ago)
};

} // namespace fg
