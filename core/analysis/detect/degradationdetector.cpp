#include "degradationdetector.h"
#include "counttests.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace fg {

namespace {

SeriesDetector::Params params(int direction, double minScale, double relScale, std::size_t window, std::size_t warmup,
                              bool weekly)
{
    SeriesDetector::Params p;
    p.weekly = weekly;
    p.direction = direction;
    p.minScale = minScale;
    p.relScale = relScale;
    p.window = window;
    p.warmup = warmup;
    return p;
}

double round1(double v) { return std::round(v * 10) / 10; }

constexpr std::size_t kForestHistory = 240; // quiet minutes the forest learns from
constexpr std::size_t kForestMinimum = 60;
constexpr int kRefitMinutes = 30;
constexpr double kCombinationShown = 0.65; // isolation score worth mentioning
constexpr double kSuddenDrop = 0.4;
constexpr double kDropZ = 4;     // shortfall against the last quarter hour, in sigmas of a Poisson count
constexpr double kOutageShare = 0.3;
constexpr double kOutageZ = 6;
constexpr std::uint64_t kMinLatencySamples = 20;
constexpr double kExtremeNowSigma = 3;
constexpr double kCurrentSigma = 1.5; // the clearing level: a raising signal's own minute is at least this far off
constexpr std::uint64_t kMinP99Samples = 100;
constexpr std::size_t kRecentTraffic = 15; // minutes of traffic a sudden fall is measured against
constexpr int kMaxPooledMinutes = 15;
constexpr int kMaxDropHoldMinutes = 180;
constexpr std::uint64_t kLatencyBackSamples = 5;
constexpr std::size_t kQuietErrorMinutes = 180; // quiet minutes the usual error share is pooled from
constexpr std::uint64_t kMinQuietTrials = 200;
constexpr std::size_t kErrorsBackMinutes = 5;
constexpr double kErrorsBackZ = 2;
constexpr double kErrorsAgainZ = 3;
constexpr std::size_t kDropBackMinutes = 5;
constexpr int kSustainedExtraMinutes = 2; // a sustained signal's run: this much longer than a run
constexpr int kSustainedJudgments = 3;
constexpr double kSustainedRatio = 1.5;

// Values as the explanation prints them; the API returns the same rounded numbers.
double shown(const std::string &name, double v)
{
    if (name == "error_rate")
        return std::round(v * 10000) / 10000; // 0.0321 → "3.2 %"
    return std::fabs(v) >= 10 ? std::round(v) : round1(v);
}

std::string format(const std::string &name, double v)
{
    char buf[64];
    if (name == "error_rate")
        std::snprintf(buf, sizeof buf, "%.1f %%", v * 100);
    else if (name == "throughput_rps")
        std::snprintf(buf, sizeof buf, "%g req/s", v);
    else
        std::snprintf(buf, sizeof buf, "%g ms", v);
    return buf;
}

std::string label(const std::string &name)
{
    if (name == "p50_latency_ms")
        return "p50 latency";
    if (name == "p95_latency_ms")
        return "p95 latency";
    if (name == "p99_latency_ms")
        return "p99 latency";
    if (name == "error_rate")
        return "error rate";
    return "throughput";
}

} // namespace

DegradationDetector::DegradationDetector(std::string service, std::string endpoint, Params p)
    : m_service(std::move(service)), m_endpoint(std::move(endpoint)), m_params(p)
{
    const std::size_t w = p.baselineMinutes, warm = p.warmupMinutes;
    // A route's week is its service's week: the service detector judges it, and 2,000 routes would
    // otherwise carry 100 MB of weekly profiles.
    const bool weekly = m_endpoint.empty();
    m_series = {
        // Latency: 1 ms or 5 % of the baseline; error rate: half a percentage point; throughput: 15 %.
        {"p50_latency_ms", SeriesDetector(params(1, 1.0, 0.05, w, warm, weekly)), {}},
        {"p95_latency_ms", SeriesDetector(params(1, 1.0, 0.05, w, warm, weekly)), {}},
        {"p99_latency_ms", SeriesDetector(params(1, 1.0, 0.05, w, warm, weekly)), {}},
        {"error_rate", SeriesDetector(params(1, 0.005, 0.0, w, warm, weekly)), {}},
        {"throughput_rps", SeriesDetector(params(-1, 0.05, 0.15, w, warm, weekly)), {}},
    };
}

void DegradationDetector::configure(int forMinutes, int clearMinutes, std::size_t warmupMinutes, double activeAt,
                                    double extremeAt)
{
    m_params.forMinutes = forMinutes;
    m_params.clearMinutes = clearMinutes;
    m_params.warmupMinutes = warmupMinutes;
    m_activeAt = activeAt;
    m_sustainedAt = (activeAt + extremeAt) / 2;
    for (Series &s : m_series)
        s.detector.setLimits(activeAt, extremeAt, warmupMinutes);
}

std::optional<AnomalyRecord> DegradationDetector::update(const KpiRollup &k, const std::vector<std::string> &newErrors)
{
    const TimeNs previousMinute = std::exchange(m_lastMinute, k.start);
    // A quantile of a handful of latencies is one of them, not a quantile: quiet minutes are pooled until
    // there are enough samples (the night's three requests a minute say nothing about p99 alone; a quarter
    // of an hour of them does), and only then judged.
    m_latencyPool.merge(k.latency);
    ++m_pooledMinutes;
    const bool judged = m_latencyPool.count() >= kMinLatencySamples;
    const bool giveUp = !judged && m_pooledMinutes >= kMaxPooledMinutes;
    // p99 needs many more samples than p50 to be more than the largest one.
    auto quantile = [&](double q, std::uint64_t minSamples) {
        return judged && m_latencyPool.count() >= minSamples ? m_latencyPool.quantile(q) : NAN;
    };
    const double values[] = {quantile(0.50, kMinLatencySamples), quantile(0.95, kMinLatencySamples),
                             quantile(0.99, kMinP99Samples), k.errorRate(),
                             double(k.requests ? k.requests : k.events) / 60.0};
    // A quantile of n samples has a sampling error of its own: the distribution-free standard error is half
    // the distance between the quantiles sqrt(q(1-q)/n) below and above it. The p95 of twenty night-time
    // requests wanders by a quarter, and its sigma must say so (a clean pool read as 2.5σ and kept a fixed
    // route open).
    auto quantileNoise = [&](double q, double value) {
        if (std::isnan(value))
            return 0.0;
        const double d = std::sqrt(q * (1 - q) / double(m_latencyPool.count()));
        return (m_latencyPool.quantile(std::min(q + d, 1.0)) - m_latencyPool.quantile(std::max(q - d, 0.0))) / 2;
    };
    const double latencyNoise[] = {quantileNoise(0.50, values[0]), quantileNoise(0.95, values[1]),
                                   quantileNoise(0.99, values[2])};
    if (judged || giveUp) {
        m_latencyPool = DDSketch();
        m_pooledMinutes = 0;
    }
    bool extreme = false, warm = false;
    double peak = 0;
    // Error rates and request rates of few requests are counts, noisy by nature: the sigma of such a
    // point is never smaller than what makes its deviation as significant as its count really is (one
    // error among fifteen night-time requests is luck, not 4σ).
    const std::uint64_t trials = k.requests ? k.requests : k.events;
    const std::uint64_t failures = k.requests ? k.requestErrors : k.errorEvents;
    const double usualRate = m_series[3].detector.baseline();
    const double usualCount = m_series[4].detector.baseline() * 60.0;
    auto floorFor = [](double deviation, double z) {
        return deviation <= 0 ? 0.0 : z > 0.05 ? deviation / z : deviation / 0.05;
    };
    const double noise[] = {latencyNoise[0], latencyNoise[1], latencyNoise[2],
                            floorFor(values[3] - usualRate, excessFailuresZ(failures, trials, usualRate)),
                            floorFor(usualCount / 60.0 - values[4], shortfallZ(trials, usualCount))};
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        Series &s = m_series[i];
        s.detector.setHeld(m_open.has_value());
        // A latency not judged this minute keeps its last verdict while its samples are still pooling, and
        // has none when the pool was judged without enough samples for it (p99 of a quiet route).
        if (!std::isnan(values[i]) || i > 2) {
            s.last = s.detector.update(values[i], noise[i], k.start);
        } else if (judged || giveUp) {
            s.last = {};
        } else if (m_raisedJudgments < 2) {
            // Carried, a single judgment keeps an open degradation open but raises nothing new: one
            // pooled spike must not count as several minutes of it. Judged high twice running, it is a
            // trend (a creep in a quiet hour) and carries.
            s.last.raised = s.last.extreme = false;
        }
        warm |= s.last.warm;
        peak = std::max(peak, s.last.score);
    }
    if (judged)
        m_raisedJudgments = m_series[0].last.raised || m_series[1].last.raised || m_series[2].last.raised
                                ? m_raisedJudgments + 1
                                : 0;
    // Until a daily profile explains the day's shape, a fall in traffic counts only when it is sudden and
    // deep — at most 40 % of the last quarter hour's level, and a shortfall no Poisson luck explains — a
    // normal evening decline otherwise looks like a drop to a baseline of the last two hours. "Sudden" is
    // against the last quarter hour, not the baseline of hours (which a steep evening decline leaves far
    // behind); the count test makes it proportional to volume (at night's few requests, nothing is).
    SeriesVerdict &traffic = m_series[4].last;
    if (m_dropHold && !holdsDrop(trials))
        m_dropHold.reset();
    double recent = 0;
    if (m_dropHold) {
        recent = *m_dropHold;
    } else if (m_recentTraffic.size() >= kRecentTraffic / 2) {
        std::vector<double> sorted(m_recentTraffic.begin(), m_recentTraffic.end());
        std::nth_element(sorted.begin(), sorted.begin() + long(sorted.size() / 2), sorted.end());
        recent = sorted[sorted.size() / 2];
    }
    // It also ends a drop's part in a degradation once the lower level is the recent one: without a
    // profile, a long low level cannot be told from a quiet night.
    const double shortfall = shortfallZ(trials, recent * 60.0);
    const bool suddenDrop = m_dropHold || (values[4] <= kSuddenDrop * recent && shortfall >= kDropZ);
    if (traffic.warm && traffic.seasonDays == 0 && !suddenDrop)
        traffic.raised = traffic.active = traffic.extreme = false;
    if (m_dropHold)
        traffic.active = true;
    // Most of a service's traffic gone within minutes, beyond any doubt, is an outage on its own. The doubt
    // is judged on the drop's minutes together (a sum of Poisson counts is one): a service of thirty
    // requests a minute cannot fall 6σ short in one minute even when it stops, but can in three.
    m_dropCount = suddenDrop ? m_dropCount + trials : 0;
    m_dropExpected = suddenDrop ? m_dropExpected + recent * 60.0 : 0;
    if (traffic.raised && suddenDrop && double(m_dropCount) <= kOutageShare * m_dropExpected
        && shortfallZ(m_dropCount, m_dropExpected) >= kOutageZ)
        traffic.extreme = true;
    if (!m_dropHold) {
        m_recentTraffic.push_back(values[4]);
        if (m_recentTraffic.size() > kRecentTraffic)
            m_recentTraffic.pop_front();
    }
    // Raising needs the minute itself still to be off: the level-shift and EWMA tests remember a one-minute
    // spike for a few minutes after it is over, and a spike must not page.
    for (Series &s : m_series)
        if (s.last.sigma < kCurrentSigma)
            s.last.raised = s.last.extreme = false;
    // Extreme pages on its own, so it needs the minute itself at the activation level: a spike's extreme
    // memory met a slightly slow third minute and paged alone. (A drop's extremity is its minutes together.)
    for (std::size_t i = 0; i < 4; ++i)
        if (m_series[i].last.sigma < kExtremeNowSigma)
            m_series[i].last.extreme = false;
    // Errors back at their usual share end the error rate's part: the CUSUM and level-shift memories of an
    // hour of errors outlast the fix by half an hour or more. Judged on the last minutes together against
    // the pooled share of quiet hours (a median of minute rates is 0 where most minutes have no error).
    // Once ended, the part stays ended until the errors of the last minutes are clearly unusual again (one
    // night-time error reads as 3σ against that median). A degradation raised without errors starts with
    // their part ended: a lone background error among four night-time requests read +4.5σ against that
    // median and held a fixed route's latency degradation open for a quarter of an hour.
    noteErrors(failures, trials, !m_open && m_run == 0);
    m_errorsEnded = m_open && (m_errorsEnded ? lastErrorsZ(true) < kErrorsAgainZ : lastErrorsZ(false) < kErrorsBackZ);
    if (m_errorsEnded)
        m_series[3].last.active = m_series[3].last.raised = m_series[3].last.extreme = false;
    // At night a route's pool needs a quarter of an hour for twenty latencies, and a fixed route stayed open
    // for half an hour after its fix. A few latencies in a row all below the usual p95 already say latency
    // is back: at three times the usual latency that happens by luck about once in five hundred.
    m_latencyMaxima.push_front({k.latency.count(), k.latency.max()});
    if (m_latencyMaxima.size() > std::size_t(kMaxPooledMinutes))
        m_latencyMaxima.pop_back();
    const double usualP95 = m_series[1].last.baseline > 0 ? m_series[1].last.baseline : m_series[1].detector.baseline();
    if (m_open && !judged && usualP95 > 0 && latencyIsBack(usualP95))
        for (std::size_t i = 0; i < 3; ++i)
            m_series[i].last.raised = m_series[i].last.active = m_series[i].last.extreme = false;
    // A latency judgment back below the clearing level ends that signal's part: the level-shift, EWMA and
    // CUSUM memories decay per judgment, and at night a judgment pools ten minutes or more (a fixed route
    // stayed open for over an hour after its fix).
    for (std::size_t i = 0; i < 3; ++i)
        if (m_series[i].last.sigma < kCurrentSigma)
            m_series[i].last.active = false;
    // Carried over the minutes until the next judgment, only a judgment still clearly off (at the activation
    // level) holds an open degradation: at night a pool straddling the fix read 1.5σ and held a fixed route
    // open ten more minutes, and a pool's p95 of twenty latencies at 2–3σ by chance held one for half an
    // hour. A weaker one lets the quiet minutes count; the alert's own hold keeps a return the same alert.
    if (m_open && !judged)
        for (std::size_t i = 0; i < 3; ++i)
            if (m_series[i].last.sigma < m_activeAt)
                m_series[i].last.active = m_series[i].last.raised = false;
    // Judged, holding takes two quantiles at the clearing level or one at the activation level: each of a
    // pool's quantiles is at 1.5σ by chance about one judgment in fifteen.
    const int latencyActive = int(m_series[0].last.active) + int(m_series[1].last.active) + int(m_series[2].last.active);
    const bool latencyAtActivation = m_series[0].last.sigma >= m_activeAt || m_series[1].last.sigma >= m_activeAt
                                     || m_series[2].last.sigma >= m_activeAt;
    if (m_open && latencyActive == 1 && !latencyAtActivation)
        for (std::size_t i = 0; i < 3; ++i)
            m_series[i].last.active = m_series[i].last.raised = false;
    for (const Series &s : m_series)
        extreme |= s.last.extreme;
    // The three latency quantiles move together: they are one signal. Raising needs signals at the
    // activation level now; an open degradation stays open while any is still above the clearing level.
    auto count = [this](bool SeriesVerdict::*flag) {
        const bool latency = m_series[0].last.*flag || m_series[1].last.*flag || m_series[2].last.*flag;
        return (latency ? 1 : 0) + (m_series[3].last.*flag ? 1 : 0) + (m_series[4].last.*flag ? 1 : 0);
    };
    const int fresh = newErrors.empty() ? 0 : 1;
    const int raised = count(&SeriesVerdict::raised) + fresh;
    const int active = count(&SeriesVerdict::active) + fresh;
    // Latency alone pages when extreme, or when it stays halfway there for longer than a run, over several
    // judgments, at a level users feel: a creep in a quiet hour sat at 6–9σ and 1.6–1.9× for five minutes
    // while its noisy single minutes kept missing the extreme test's own-minute level, and paged ten
    // minutes late. Judgments, not minutes: at night a spike shared by two pools is two high judgments
    // carried over a quarter of an hour. The EWMA makes a lasting 2.3σ shift "halfway", so the level must
    // matter too (a lasting +12 % is no page). Not p99: a minute's few slowest requests drift in a slow
    // daily swell. Errors alone have the error-rate rule, throughput its own drop tests.
    auto halfwayToExtreme = [this](const Series &s) {
        return s.last.raised && s.last.statistic >= m_sustainedAt && s.last.value >= kSustainedRatio * s.last.baseline;
    };
    const bool latencyHalfway = halfwayToExtreme(m_series[0]) || halfwayToExtreme(m_series[1]);
    if (!latencyHalfway) {
        m_sustainedRun = m_sustainedJudgments = 0;
    } else {
        if (m_sustainedRun++ == 0)
            m_sustainedStart = k.start;
        if (judged)
            ++m_sustainedJudgments;
    }
    const bool sustained = m_sustainedRun >= m_params.forMinutes + kSustainedExtraMinutes
                           && m_sustainedJudgments >= kSustainedJudgments;
    const bool condition = warm && (raised >= 2 || extreme || sustained);
    // A carried latency verdict may keep a run going but not complete it: a night-time spike spread over
    // two pools was judged high twice and then paged on the minutes carried after them. The run completes
    // on the next judgment, if that is still high.
    const bool latencyCarried = !judged && (m_series[0].last.raised || m_series[1].last.raised || m_series[2].last.raised);
    const bool extremeBesideLatency = m_series[3].last.extreme || m_series[4].last.extreme;
    const bool waitForJudgment = latencyCarried && !extremeBesideLatency
                                 && count(&SeriesVerdict::raised) - 1 + fresh < 2;

    // The combination needs all three; a minute too thin for p95 is not a point of it. It only adds to a
    // degradation being raised or open, so the forest is grown when one is (from the quiet minutes before)
    // and let go when it is over: a detector at rest keeps just those minutes, not a hundred trees.
    const bool complete = std::isfinite(values[1]);
    const IsolationForest::Point vector{std::log1p(complete ? values[1] : 0.0), values[3], std::log1p(values[4])};
    const bool needed = complete && (condition || m_open);
    if (needed && (!m_forest.trained() || m_sinceFit >= kRefitMinutes) && m_history.size() >= kForestMinimum) {
        std::vector<IsolationForest::Point> points;
        points.reserve(m_history.size());
        for (const auto &h : m_history)
            points.push_back({h[0], h[1], h[2]});
        m_forest.fit(points);
        m_sinceFit = 0;
    } else if (!condition && !m_open) {
        m_forest.clear();
    }
    ++m_sinceFit;
    m_combination = needed && m_forest.trained() ? m_forest.score(vector) : 0.0;
    if (m_combination >= kCombinationShown)
        peak = std::max(peak, m_combination);
    if (active == 0 && complete) {
        m_history.push_back({float(vector[0]), float(vector[1]), float(vector[2])});
        if (m_history.size() > kForestHistory)
            m_history.pop_front();
    }
    const TimeNs minuteEnd = k.start + 60 * kNsPerSec;
    // Once a sudden drop is part of a raised degradation, the level before it is what traffic must return
    // to: otherwise the low level becomes "the last quarter hour" within minutes and the outage resolves
    // while it lasts.
    const bool dropping = suddenDrop && (traffic.raised || traffic.extreme);
    auto holdDrop = [&] {
        if (dropping && !m_dropHold) {
            m_dropHold = recent;
            m_dropHoldMinutes = 0;
            m_sinceDrop.clear();
        }
    };

    if (!m_open) {
        if (!condition) {
            m_run = 0;
            return std::nullopt;
        }
        if (m_run++ == 0)
            m_runStart = k.start;
        if (sustained && m_run < m_params.forMinutes) { // it has lasted longer than a run already
            m_run = m_params.forMinutes;
            m_runStart = std::min(m_runStart, m_sustainedStart);
        }
        if (m_run < m_params.forMinutes)
            return std::nullopt;
        if (waitForJudgment) {
            m_run = m_params.forMinutes - 1;
            return std::nullopt;
        }
        AnomalyRecord a;
        a.service = m_service;
        a.endpoint = m_endpoint;
        a.startedAt = m_runStart;
        a.score = peak;
        a.traceIds = k.errorTraces;
        explain(a, minuteEnd, newErrors);
        m_open = a;
        m_errorsEnded = !(m_series[3].last.active || m_series[3].last.extreme);
        m_quiet = 0;
        holdDrop();
        return m_open;
    }
    m_open->score = std::max(m_open->score, peak);
    for (const std::string &t : k.errorTraces)
        noteTrace(m_open->traceIds, t, 8);
    if (active == 0) {
        // Quiet minutes are minutes of event time: a route of one request every few minutes has no minute
        // between them, and counting its minutes with traffic kept it open a quarter of an hour after its fix.
        const TimeNs sinceLast = previousMinute ? (k.start - previousMinute) / (60 * kNsPerSec) : 1;
        m_quiet += int(std::clamp<TimeNs>(sinceLast, 1, m_params.clearMinutes));
        if (m_quiet >= m_params.clearMinutes) {
            m_open->endedAt = std::max(m_open->startedAt, minuteEnd - m_quiet * 60 * kNsPerSec);
            m_open->updatedAt = minuteEnd;
            AnomalyRecord done = *m_open;
            done.explanation = "Resolved after " + std::to_string((done.endedAt - done.startedAt) / (60 * kNsPerSec))
                               + " min. " + done.explanation;
            m_open.reset();
            m_run = 0;
            for (Series &s : m_series)
                s.detector.forgetEvidence();
            return done;
        }
        return std::nullopt;
    }
    m_quiet = 0;
    holdDrop();
    explain(*m_open, minuteEnd, newErrors);
    return m_open;
}

void DegradationDetector::noteErrors(std::uint64_t failures, std::uint64_t trials, bool quiet)
{
    const std::array<std::uint32_t, 2> minute{std::uint32_t(std::min<std::uint64_t>(failures, UINT32_MAX)),
                                              std::uint32_t(std::min<std::uint64_t>(trials, UINT32_MAX))};
    m_lastErrors.push_back(minute);
    if (m_lastErrors.size() > kErrorsBackMinutes)
        m_lastErrors.pop_front();
    // Minutes of an open or rising degradation would teach the usual share the incident's own errors.
    if (!quiet)
        return;
    m_quietErrors.push_back(minute);
    m_quietFailures += minute[0];
    m_quietTrials += minute[1];
    if (m_quietErrors.size() > kQuietErrorMinutes) {
        m_quietFailures -= m_quietErrors.front()[0];
        m_quietTrials -= m_quietErrors.front()[1];
        m_quietErrors.pop_front();
    }
}

double DegradationDetector::lastErrorsZ(bool judgePresence) const
{
    if (m_quietTrials < kMinQuietTrials || m_lastErrors.size() < kErrorsBackMinutes)
        return INFINITY;
    std::uint64_t failures = 0, trials = 0;
    for (const auto &m : m_lastErrors) {
        failures += m[0];
        trials += m[1];
    }
    // Where hardly an error is expected (a quiet night), their absence says nothing; their presence does.
    const double usual = double(m_quietFailures) / double(m_quietTrials);
    if (double(trials) * usual < 0.5 && !judgePresence)
        return INFINITY;
    return excessFailuresZ(failures, trials, usual);
}

bool DegradationDetector::latencyIsBack(double usualP95) const
{
    std::uint64_t samples = 0;
    for (const auto &[count, max] : m_latencyMaxima) {
        if (count == 0)
            continue;
        if (max > usualP95)
            return false;
        if ((samples += count) >= kLatencyBackSamples)
            return true;
    }
    return false;
}

bool DegradationDetector::holdsDrop(std::uint64_t requests)
{
    // Back means the minutes since the drop, the last five together, above half the level before it: a
    // Poisson count that far below its mean is no luck even at night's few requests. A low level that
    // lasts hours is accepted as the new one (a daily profile, once learnt, judges it instead).
    if (!m_open || ++m_dropHoldMinutes > kMaxDropHoldMinutes)
        return false;
    m_sinceDrop.push_back(requests);
    if (m_sinceDrop.size() > kDropBackMinutes)
        m_sinceDrop.pop_front();
    double seen = 0;
    for (std::uint64_t r : m_sinceDrop)
        seen += double(r);
    const double expected = *m_dropHold * 60.0 * double(m_sinceDrop.size());
    return m_sinceDrop.size() < 3 || seen <= 0.5 * expected;
}

void DegradationDetector::learnHistory(const std::vector<KpiRollup> &minutes)
{
    for (const KpiRollup &k : minutes)
        update(k);
    m_open.reset();
    m_dropHold.reset();
    m_run = 0;
    m_sustainedRun = m_sustainedJudgments = 0;
    m_quiet = 0;
}

std::size_t DegradationDetector::memoryBytes() const
{
    std::size_t bytes = sizeof(*this) + m_service.capacity() + m_endpoint.capacity() + m_forest.memoryBytes()
                        + m_latencyPool.memoryBytes() + m_history.memoryBytes() + m_recentTraffic.memoryBytes()
                        + m_quietErrors.memoryBytes() + m_lastErrors.memoryBytes() + m_latencyMaxima.memoryBytes()
                        + m_sinceDrop.memoryBytes();
    for (const Series &s : m_series)
        bytes += s.detector.memoryBytes();
    return bytes;
}

void DegradationDetector::explain(AnomalyRecord &a, TimeNs now, const std::vector<std::string> &newErrors) const
{
    std::vector<const Series *> active;
    // Signals that are active and still on the bad side of their baseline; at least the raised ones, even
    // when their evidence is accumulated rather than in this minute's value.
    for (const Series &s : m_series)
        if ((s.last.active || s.last.extreme) && s.last.sigma > 0.5)
            active.push_back(&s);
    if (active.empty())
        for (const Series &s : m_series)
            if (s.last.raised || s.last.extreme)
                active.push_back(&s);
    a.updatedAt = now;
    // Held open by accumulated evidence alone, no signal has anything new to say: the last explanation keeps the
    // numbers that were seen (a resolved alert read "svc: .").
    if (active.empty() && newErrors.empty() && !a.explanation.empty())
        return;
    std::sort(active.begin(), active.end(),
              [](const Series *x, const Series *y) { return x->last.statistic > y->last.statistic; });
    a.indicators.clear();
    const long minutes = long((now - a.startedAt) / (60 * kNsPerSec));
    std::string text;
    bool latency = false, errors = false, traffic = false;
    for (const Series *s : active) {
        AnomalySignal sig;
        sig.name = s->name;
        sig.current = shown(sig.name, s->last.value);
        sig.baseline = shown(sig.name, s->last.baseline);
        sig.ratio = s->last.baseline > 0 ? round1(s->last.value / s->last.baseline) : 0;
        sig.sigma = round1(s->last.sigma);
        char ratio[32] = "";
        if (sig.ratio > 0)
            std::snprintf(ratio, sizeof ratio, "%.1f×, ", sig.ratio);
        char part[200];
        std::snprintf(part, sizeof part, "%s %s vs baseline %s%s (%s%+.1fσ)", label(sig.name).c_str(),
                      format(sig.name, sig.current).c_str(), format(sig.name, sig.baseline).c_str(), s->last.baselineQualifier(), ratio,
                      sig.sigma);
        if (text.empty()) {
            text = part;
            text += " for " + std::to_string(minutes) + " min";
        } else {
            text += "; ";
            text += part;
        }
        latency |= sig.name.find("latency") != std::string::npos;
        errors |= sig.name == "error_rate";
        traffic |= sig.name == "throughput_rps";
        a.indicators.push_back(std::move(sig));
    }
    if (m_combination >= kCombinationShown) {
        AnomalySignal sig;
        sig.name = "kpi_combination";
        sig.current = std::round(m_combination * 100) / 100;
        char part[96];
        std::snprintf(part, sizeof part, "unusual KPI combination (isolation score %.2f)", sig.current);
        text += (text.empty() ? "" : "; ") + std::string(part);
        a.indicators.push_back(std::move(sig));
    }
    if (!newErrors.empty()) {
        AnomalySignal sig;
        sig.name = "new_error_templates";
        sig.current = double(newErrors.size());
        text += (text.empty() ? "" : "; ") + std::to_string(newErrors.size()) + " new error template"
                + (newErrors.size() > 1 ? "s" : "") + " such as \"" + newErrors.front() + "\"";
        if (active.empty())
            text += " for " + std::to_string(minutes) + " min";
        errors = true;
        a.indicators.push_back(std::move(sig));
    }
    a.explanation = m_service + (m_endpoint.empty() ? "" : " " + m_endpoint) + ": " + text + ".";
    if (errors && latency)
        a.recommendation = "Errors and latency rose together: check the dependencies this service calls (database, "
                           "upstream APIs) and the most recent deploy.";
    else if (latency)
        a.recommendation = "Latency is creeping up without errors yet: look for saturation (CPU, connection pools, "
                           "slow queries) before it turns into timeouts.";
    else if (errors)
        a.recommendation = "Errors are rising: inspect the newest error messages and roll back the latest change if "
                           "it lines up.";
    else if (traffic)
        a.recommendation = "Traffic dropped: check that clients can reach the service (DNS, load balancer, auth).";
}

} // namespace fg
