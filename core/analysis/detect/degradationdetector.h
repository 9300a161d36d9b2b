#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/ddsketch.h"
#include "analysis/kpirollup.h"
#include "anomalyrecord.h"
#include <array>

#include "isolationforest.h"
#include "minutequeue.h"
#include "seriesdetector.h"

namespace fg {

// Watches one service's per-minute KPIs (p50/p95/p99 latency, error rate, throughput) and raises a
// degradation when at least two signals agree — latency (any quantile), errors, throughput, a new error
// template — or one is
// extreme, for `forMinutes` minutes in a row;
// it resolves after `clearMinutes` quiet minutes (hysteresis). Nothing is raised during the warm-up.
// Times are event times of the minutes, so replayed history yields the same results as live traffic.
// An Isolation Forest over the service's KPI vector adds unusual combinations to the score and the text.
class DegradationDetector final {
public:
    struct Params {
        int forMinutes = 3; // DetectionSettings holds the user-facing defaults; these match them
        int clearMinutes = 5;
        std::size_t warmupMinutes = 30;
        std::size_t baselineMinutes = 120;
    };
    DegradationDetector(std::string service, std::string endpoint, Params params);
    explicit DegradationDetector(std::string service, std::string endpoint = {})
        : DegradationDetector(std::move(service), std::move(endpoint), Params{})
    {
    }
    // Applies changed settings without losing the history behind the baselines.
    void configure(int forMinutes, int clearMinutes, std::size_t warmupMinutes, double activeAt, double extremeAt);

    // Feeds one closed minute of the service (endpoint empty). Returns the anomaly when it was raised,
    // changed or resolved by this minute.
    // newErrorTemplates: templates first seen at ERROR or above during this minute (a signal of its own).
    std::optional<AnomalyRecord> update(const KpiRollup &minute, const std::vector<std::string> &newErrorTemplates = {});
    // Learns from stored minutes (a restart): baselines and profiles as if it had watched them, but no
    // degradation comes out of them — whatever they held is history.
    void learnHistory(const std::vector<KpiRollup> &minutes);
    bool isOpen() const { return m_open.has_value(); }
    // What this detector holds, approximately (its containers' capacities): for the analysis memory figure.
    std::size_t memoryBytes() const;

private:
    struct Series {
        const char *name;
        SeriesDetector detector;
        SeriesVerdict last;
    };
    bool holdsDrop(std::uint64_t requests);
    void noteErrors(std::uint64_t failures, std::uint64_t trials, bool quiet);
    // Errors of the last minutes against the usual share, in sigmas; infinite while either is too thin
    // (too few expected errors counts as thin unless `judgePresence`: errors that are there can be judged).
    double lastErrorsZ(bool judgePresence) const;
    // The newest latencies, at least a few, all below the usual p95.
    bool latencyIsBack(double usualP95) const;
    void explain(AnomalyRecord &a, TimeNs now, const std::vector<std::string> &newErrorTemplates) const;

    std::string m_service;
    std::string m_endpoint; // empty: the whole service
    Params m_params;
    std::vector<Series> m_series;
    int m_run = 0;    // consecutive minutes meeting the condition
    // Latency raised, at least halfway to extreme and well above its baseline: for how many minutes in a
    // row, since when.
    double m_activeAt = 3.0; // SeriesDetector's default limits until configure()
    double m_sustainedAt = (3.0 + 8.0) / 2;
    int m_sustainedRun = 0;
    int m_sustainedJudgments = 0; // of them, minutes with a fresh judgment of that signal
    TimeNs m_sustainedStart = 0;
    int m_quiet = 0;  // quiet minutes of event time in a row while open
    TimeNs m_lastMinute = 0; // start of the last minute seen
    TimeNs m_runStart = 0;
    std::optional<AnomalyRecord> m_open;
    DDSketch m_latencyPool; // latencies of quiet minutes, until there are enough to judge
    int m_pooledMinutes = 0;
    int m_raisedJudgments = 0; // consecutive pooled latency judgments that raised
    MinuteQueue<double> m_recentTraffic; // the last minutes' request rates
    // The minutes of the current sudden drop so far: requests seen and requests the level before it expected.
    std::uint64_t m_dropCount = 0;
    double m_dropExpected = 0;
    // While a raised degradation includes a sudden drop: the request rate before it, the minutes held and
    // the requests of the last minutes since.
    std::optional<double> m_dropHold;
    // Errors and requests per minute: of the last quiet minutes (and their sums: the usual share), and of
    // the last few minutes.
    MinuteQueue<std::array<std::uint32_t, 2>> m_quietErrors;
    std::uint64_t m_quietFailures = 0;
    std::uint64_t m_quietTrials = 0;
    MinuteQueue<std::array<std::uint32_t, 2>> m_lastErrors;
    // Latencies per minute of the last quarter hour, newest first: how many, and the largest.
    MinuteQueue<std::pair<std::uint64_t, double>> m_latencyMaxima;
    bool m_errorsEnded = false; // the error rate's part in the open degradation is over
    int m_dropHoldMinutes = 0;
    MinuteQueue<std::uint64_t> m_sinceDrop;
    // The KPI vector (log p95, error rate, log throughput) of quiet minutes, and a forest over them that
    // scores each minute's combination; it adds to an anomaly's score and explanation, it does not raise one.
    MinuteQueue<std::array<float, 3>> m_history;
    IsolationForest m_forest;
    int m_sinceFit = 0;
    double m_combination = 0; // this minute's isolation score
};

} // namespace fg
