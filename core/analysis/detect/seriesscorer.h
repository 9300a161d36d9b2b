#pragma once

#include <deque>

#include "seriesdetector.h"

namespace fg {

// Scores a generic metric series where either direction can be anomalous (ingested metrics, CSV files
// given to `flowguard detect`): the larger of a rising-is-bad and a falling-is-bad SeriesDetector with
// the default parameters, reported as its rise over the recent maximum so that the score marks onsets.
class SeriesScorer final {
public:
    SeriesScorer();
    // Score in [0, 1] for this point, from the points before it only.
    double score(double value);

private:
    SeriesDetector m_up;
    SeriesDetector m_down;
    std::deque<double> m_recent;
};

} // namespace fg
