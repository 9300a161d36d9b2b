#include "seriesdetector.h"

#include <algorithm>
#include <cmath>

namespace fg {

SeriesDetector::SeriesDetector(Params params)
    : m_p(params), m_baseline(params.window), m_cusum(params.cusumSlack, params.cusumLimit), m_ewma(params.ewmaLambda)
{
}

SeriesVerdict SeriesDetector::update(double value, double noiseScale)
{
    SeriesVerdict v;
    v.value = value;
    if (!std::isfinite(value))
        return v;
    if (m_baseline.size() < m_p.warmup) {
        m_baseline.add(value);
        return v;
    }
    v.warm = true;
    v.baseline = m_baseline.median();
    const double scale =
        std::max({m_baseline.scale(), m_p.minScale, m_p.relScale * std::fabs(v.baseline), noiseScale});
    v.sigma = m_p.direction * (value - v.baseline) / scale;
    const double cusum = m_cusum.update(v.sigma);
    const double ewma = m_ewma.update(v.sigma);
    const double shift = m_p.direction * m_shift.update(value, v.baseline, scale);
    v.statistic = std::max({v.sigma, shift, ewma, 3.0 * cusum / m_p.cusumLimit, 0.0});
    v.score = v.statistic / (v.statistic + 3.0);
    v.raised = v.statistic >= m_p.activeAt;
    m_active = m_active ? v.statistic >= m_p.clearBelow : v.raised;
    v.active = m_active;
    v.extreme = v.statistic >= m_p.extremeAt;
    m_activeRun = m_active ? m_activeRun + 1 : 0;
    if (!m_active) {
        m_baseline.add(value);
    } else if (m_activeRun >= m_p.window) {
        // A change that has lasted a whole window is the new normal.
        m_baseline.add(value);
        m_cusum.reset();
    }
    return v;
}

} // namespace fg
