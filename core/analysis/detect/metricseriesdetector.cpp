#include "metricseriesdetector.h"

#include <cmath>
#include <cstdio>

namespace fg {

namespace {
constexpr TimeNs kMinute = 60 * kNsPerSec;

SeriesDetector::Params direction(int d)
{
    SeriesDetector::Params p;
    p.direction = d;
    return p;
}
} // namespace

MetricSeriesDetector::MetricSeriesDetector(Params params) : m_params(params) {}

void MetricSeriesDetector::add(const MetricSample &m)
{
    std::string label = m.name;
    if (m.tags != "{}")
        label += m.tags;
    const std::string key = m.service + '\x1f' + label;
    auto it = m_series.find(key);
    if (it == m_series.end()) {
        if (m_series.size() >= m_params.maxSeries) {
            ++m_overflow;
            return;
        }
        it = m_series.emplace(key, Series{m.service, label, m.type == MetricType::Counter, {}, SeriesDetector(direction(1)),
                                          SeriesDetector(direction(-1)), std::nullopt, 0})
                 .first;
    }
    Series &s = it->second;
    auto &[sum, count] = s.minutes[m.ts - m.ts % kMinute];
    sum += m.value;
    ++count;
    s.lastReceived = std::max(s.lastReceived, m.received);
    TimeNs &mark = m_watermarks[m.service];
    mark = std::max(mark, std::min(m.ts, m.received));
}

std::vector<AnomalyRecord> MetricSeriesDetector::takeClosed(TimeNs wallNow)
{
    std::vector<AnomalyRecord> out;
    for (auto &[key, s] : m_series) {
        TimeNs watermark = m_watermarks[s.service] - m_params.lateness;
        if (wallNow - s.lastReceived > m_params.lateness + kMinute && !s.minutes.empty())
            watermark = std::max(watermark, s.minutes.rbegin()->first + kMinute);
        while (!s.minutes.empty() && s.minutes.begin()->first + kMinute <= watermark) {
            const auto [start, agg] = *s.minutes.begin();
            s.minutes.erase(s.minutes.begin());
            const double value = s.counter ? agg.first : agg.first / double(agg.second);
            if (auto a = judge(s, start, value))
                out.push_back(std::move(*a));
        }
    }
    return out;
}

std::optional<AnomalyRecord> MetricSeriesDetector::judge(Series &s, TimeNs start, double value)
{
    const SeriesVerdict up = s.up.update(value, 0, start), down = s.down.update(value, 0, start);
    const SeriesVerdict &worse = up.statistic >= down.statistic ? up : down;
    const TimeNs end = start + kMinute;
    if (!s.open) {
        if (!worse.raised)
            return std::nullopt;
        AnomalyRecord a;
        a.service = s.service;
        a.kind = "anomaly";
        a.metric = s.label;
        a.startedAt = start;
        s.open = a;
    }
    AnomalyRecord &a = *s.open;
    a.updatedAt = end;
    if (!up.active && !down.active) {
        a.endedAt = end;
        AnomalyRecord done = a;
        s.open.reset();
        return done;
    }
    a.score = std::max(a.score, worse.score);
    // The explanation quotes the minute furthest from the baseline, with the duration up to now.
    if (a.indicators.empty() || std::fabs(worse.sigma) > std::fabs(a.indicators.front().sigma)) {
        AnomalySignal sig;
        sig.name = s.label;
        sig.current = std::fabs(value) >= 10 ? std::round(value) : std::round(value * 10) / 10;
        sig.baseline = std::fabs(worse.baseline) >= 10 ? std::round(worse.baseline) : std::round(worse.baseline * 10) / 10;
        sig.ratio = worse.baseline > 0 ? std::round(value / worse.baseline * 10) / 10 : 0;
        sig.sigma = std::round(worse.sigma * 10) / 10 * (&worse == &up ? 1 : -1);
        a.indicators = {sig};
    }
    const AnomalySignal &peak = a.indicators.front();
    char text[320];
    std::snprintf(text, sizeof text, "%s: %s %g vs baseline %g%s (%+.1fσ), out of line for %lld min.", s.service.c_str(),
                  s.label.c_str(), peak.current, peak.baseline,
                  worse.baselineQualifier(),
                  peak.sigma,
                  static_cast<long long>((end - a.startedAt) / kMinute));
    a.explanation = text;
    return a;
}

void MetricSeriesDetector::forgetServices(const std::string &prefix)
{
    std::erase_if(m_series, [&prefix](const auto &entry) { return entry.second.service.starts_with(prefix); });
    std::erase_if(m_watermarks, [&prefix](const auto &entry) { return entry.first.starts_with(prefix); });
}

} // namespace fg
