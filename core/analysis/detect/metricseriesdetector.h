#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "anomalyrecord.h"
#include "model/records.h"
#include "seriesdetector.h"

namespace fg {

// Point-by-point detection on ingested metric series (service, name, tags): samples are averaged per
// minute of event time (summed for counters), minutes close behind a per-service watermark like the
// KPI minutes, and each closed minute goes through a rising and a falling SeriesDetector. A series
// that becomes anomalous yields an anomaly of kind "anomaly" (recorded and shown; only rules notify on
// these), resolved when it clears. Bounded: at most maxSeries series, the rest counted. One thread.
class MetricSeriesDetector final {
public:
    struct Params {
        TimeNs lateness = 2 * 60 * kNsPerSec;
        // Each series keeps two detectors of about 34 KB once it has a week of history (baselines and
        // time-of-day/week profiles): 4000 series stay under 300 MB.
        std::size_t maxSeries = 4'000;
    };
    explicit MetricSeriesDetector(Params params);
    MetricSeriesDetector() : MetricSeriesDetector(Params{}) {}

    void add(const MetricSample &sample);
    // Anomalies raised, updated or resolved by the minutes that closed by now.
    std::vector<AnomalyRecord> takeClosed(TimeNs wallNow);
    std::uint64_t overflow() const { return m_overflow; }
    // Drops the series of the services whose names start with `prefix` (cleared demo data).
    void forgetServices(const std::string &prefix);

private:
    struct Series {
        std::string service;
        std::string label; // name{tags}
        bool counter = false;
        std::map<TimeNs, std::pair<double, std::uint64_t>> minutes; // start → (sum, count)
        SeriesDetector up;
        SeriesDetector down;
        std::optional<AnomalyRecord> open;
        TimeNs lastReceived = 0;
    };
    std::optional<AnomalyRecord> judge(Series &s, TimeNs start, double value);

    Params m_params;
    std::unordered_map<std::string, Series> m_series;      // key: service \x1f label
    std::unordered_map<std::string, TimeNs> m_watermarks;  // per service: newest event time (≤ receive time)
    std::uint64_t m_overflow = 0;
};

} // namespace fg
