#include "seriesdetector.h"

#include <algorithm>
#include <cmath>

namespace fg {

namespace {
constexpr std::int64_t kDay = 86400;
// A profile replaces the plain baseline only when its residual spread is this much tighter.
constexpr double kSeasonalGain = 0.75;
} // namespace

SeriesDetector::SeriesDetector(Params params)
    : m_p(params), m_baseline(params.window),
      // Daily: 15-minute slots, the last 5 days, from 3 days on. Weekly: 30-minute slots, last 3 weeks, from 2.
      m_daily{SeasonalProfile(kDay, 96, 5, 3), RobustBaseline(params.window)},
      m_weekly{SeasonalProfile(7 * kDay, 336, 3, 2), RobustBaseline(params.window)},
      m_cusum(params.cusumSlack, params.cusumLimit), m_ewma(params.ewmaLambda)
{
}

const SeriesDetector::Seasonal *SeriesDetector::bestModel() const
{
    const Seasonal *best = nullptr;
    double error = m_error;
    if (!m_p.seasonal)
        return best;
    for (const Seasonal *s : {&m_daily, &m_weekly}) {
        if (std::isnan(s->expected) || s->residuals.size() < std::max<std::size_t>(m_p.warmup, 100))
            continue;
        if (s->error < kSeasonalGain * error) {
            best = s;
            error = s->error;
        }
    }
    return best;
}

void SeriesDetector::learn(double value, TimeNs at, bool normal)
{
    // The profiles and their errors learn from every point: a profile's median over several periods
    // shrugs off one bad day, and a recurring peak must reach it even while the plain baseline calls it
    // anomalous. The baselines learn only normal points.
    const double rate = 1.0 / double(m_p.window);
    if (m_baseline.size())
        m_error += rate * (std::fabs(value - m_baseline.median()) - m_error);
    if (normal)
        m_baseline.add(value);
    if (at == kNoTime)
        return;
    for (Seasonal *s : {&m_daily, &m_weekly}) {
        if (s == &m_weekly && !m_p.weekly)
            continue;
        s->profile.add(at, value);
        if (std::isnan(s->expected))
            continue;
        s->error += rate * (std::fabs(value - s->expected) - s->error);
        if (normal)
            s->residuals.add(value - s->expected);
    }
}

SeriesVerdict SeriesDetector::update(double value, double noiseScale, TimeNs at)
{
    SeriesVerdict v;
    v.value = value;
    if (!std::isfinite(value))
        return v;
    for (Seasonal *s : {&m_daily, &m_weekly})
        s->expected = at != kNoTime ? s->profile.expected(at) : NAN;
    if (m_baseline.size() < m_p.warmup) {
        learn(value, at, true);
        return v;
    }
    v.warm = true;
    double spread = 0;
    if (const Seasonal *model = bestModel()) {
        v.seasonDays = model == &m_daily ? 1 : 7;
        v.baseline = model->expected + model->residuals.median();
        spread = std::max(model->residuals.scale(), 0.02 * std::fabs(v.baseline));
    } else {
        v.baseline = m_baseline.median();
        spread = m_baseline.scale();
    }
    const double scale = std::max({spread, m_p.minScale, m_p.relScale * std::fabs(v.baseline), noiseScale});
    v.sigma = m_p.direction * (value - v.baseline) / scale;
    const double cusum = m_cusum.update(v.sigma);
    const double ewma = m_ewma.update(v.sigma);
    const double shift = m_shift.update(v.sigma);
    v.statistic = std::max({m_p.residual ? v.sigma : 0.0, m_p.levelShift ? shift : 0.0, m_p.ewma ? ewma : 0.0,
                            m_p.cusum ? 3.0 * cusum / m_p.cusumLimit : 0.0, 0.0});
    v.score = v.statistic / (v.statistic + 3.0);
    v.raised = v.statistic >= m_p.activeAt;
    m_active = m_active ? v.statistic >= m_p.clearBelow : v.raised;
    v.active = m_active;
    v.extreme = v.statistic >= m_p.extremeAt;
    m_activeRun = m_active ? m_activeRun + 1 : 0;
    // A change that has lasted a whole window is the new normal; while held, only a much longer one.
    const std::size_t newNormal = m_p.window * (m_held ? kHeldWindows : 1);
    if (m_active && m_activeRun >= newNormal)
        m_cusum.reset();
    learn(value, at, !m_active || m_activeRun >= newNormal);
    return v;
}

} // namespace fg
