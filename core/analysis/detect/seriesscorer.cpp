#include "seriesscorer.h"

#include <algorithm>
#include <cmath>

namespace fg {

namespace {
constexpr std::size_t kShortWindow = 5;   // points averaged for the current evidence
constexpr double kLongRate = 0.002;       // weight of a new point in the long-run distribution
constexpr std::size_t kHorizon = 500;     // points in the long-run horizon (1 / kLongRate)
constexpr long kLearning = 100;           // points before any likelihood
// Hold after a likelihood alert. Long, since a new extreme still alerts during it: half the horizon
// (NAB, hold 100 → 200 → 250 → 300 points: standard 70.7 → 71.5 → 71.9 → 70.8).
constexpr int kQuietPoints = int(kHorizon / 2);
// How long a likelihood alert's evidence stays the bar for the next one: evidence that already alerted
// within this many points (a fortnight of 5-minute points) is the series' recurring burst, not news
// (NAB, memory 0 → 1000 → 2000 → 3000 → 4000 → 6000 → never: standard 72.2 → 71.8 → 72.8 → 73.3 → 74.7
// → 73.7 → 73.0; at 4000 it only removed false positives, Twitter bursts 115 → 56).
constexpr long kAlertMemory = long(8 * kHorizon);
constexpr double kRangeMargin = 0.05;     // share of the range a value must pass its edge by (as Numenta's)
// Likelihood given to a value outside the range: the strongest there is (nothing seen was like it).
constexpr double kOutOfRange = 1.0;

SeriesDetector::Params direction(SeriesDetector::Params p, int d)
{
    p.direction = d;
    return p;
}
} // namespace

SeriesScorer::SeriesScorer(const Params &params)
    : m_p(params), m_up(direction(params.tests, 1)), m_down(direction(params.tests, -1))
{
}

double SeriesScorer::score(double value, TimeNs at)
{
    const SeriesVerdict u = m_up.update(value, 0, at), d = m_down.update(value, 0, at);
    const double evidence = std::max(u.statistic, d.statistic);
    m_recent.push_back(evidence);
    if (m_recent.size() > kShortWindow)
        m_recent.pop_front();
    double recent = 0;
    for (double e : m_recent)
        recent += e;
    recent /= double(m_recent.size());

    double likelihood = 0;
    if (m_points > kLearning) {
        const double sd = std::sqrt(m_variance) + 1e-3;
        likelihood = 0.5 * std::erfc(-(recent - m_mean) / sd / std::sqrt(2.0));
    }
    if (m_p.record) {
        // No record: kept below the alerting threshold, still graded for the scorer's threshold sweep.
        // A record must also beat the evidence of the last likelihood alert, while that is remembered.
        const bool belowLastAlert = m_sinceAlert < kAlertMemory && recent <= m_lastAlert;
        if ((!m_horizon.empty() && recent <= *std::max_element(m_horizon.begin(), m_horizon.end())) || belowLastAlert)
            likelihood = std::min(likelihood, 0.99);
        m_horizon.push_back(recent);
        if (m_horizon.size() > kHorizon)
            m_horizon.pop_front();
    }
    bool outOfRange = false;
    if (m_p.range && std::isfinite(value)) {
        const double margin = kRangeMargin * (m_max - m_min);
        outOfRange = m_points > kLearning && m_max > m_min && (value > m_max + margin || value < m_min - margin);
        if (outOfRange)
            likelihood = kOutOfRange;
        m_min = std::isnan(m_min) ? value : std::min(m_min, value);
        m_max = std::isnan(m_max) ? value : std::max(m_max, value);
    }
    ++m_points;
    const double delta = evidence - m_mean;
    m_mean += kLongRate * delta;
    m_variance = (1 - kLongRate) * (m_variance + kLongRate * delta * delta);

    ++m_sinceAlert;

    // The hold keeps one anomaly's evidence from alerting again; a value beyond the range is news of its
    // own, so it alerts even then. Outside a hold it starts one: the same anomaly's evidence is what the
    // likelihood would alert on next (NAB standard 71.9 → 72.2, false positives only).
    if (outOfRange) {
        if (m_quiet <= 0)
            m_quiet = kQuietPoints;
        return likelihood;
    }
    if (m_quiet > 0) {
        --m_quiet;
        return 0.0;
    }
    if (likelihood > kAlertThreshold) {
        m_quiet = kQuietPoints;
        m_lastAlert = recent;
        m_sinceAlert = 0;
    }
    return likelihood;
}

} // namespace fg
