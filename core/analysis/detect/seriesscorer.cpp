#include "seriesscorer.h"

#include <algorithm>

namespace fg {

namespace {
constexpr std::size_t kOnsetWindow = 144; // points (half a day of 5-minute data)

SeriesDetector::Params direction(int d)
{
    SeriesDetector::Params p;
    p.direction = d;
    return p;
}
} // namespace

SeriesScorer::SeriesScorer() : m_up(direction(1)), m_down(direction(-1)) {}

double SeriesScorer::score(double value)
{
    const double raw = std::max(m_up.update(value).score, m_down.update(value).score);
    double previous = 0;
    for (double r : m_recent)
        previous = std::max(previous, r);
    m_recent.push_back(raw);
    if (m_recent.size() > kOnsetWindow)
        m_recent.pop_front();
    // Only a rise above the recent maximum counts: a long anomaly scores at its onset, not at every point.
    return std::max(0.0, raw - previous);
}

} // namespace fg
