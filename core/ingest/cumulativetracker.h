#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "model/timestamp.h"

namespace fg {

// Turns cumulative OTLP points (monotonic sums; histogram count, sum and buckets) into deltas per series
// and start time, so a point exported twice (SDKs export again on shutdown) is counted once and stored
// sums over any window are what happened in it.
// - A point not newer than the last one seen of its series is a repeat: nothing to store.
// - A value below the previous one is a reset: the new value is the delta.
// - The first point of a series that started after this tracker did is all delta; one that started
//   before (or gives no start) may already have been counted by an earlier FlowGuard run, so it is only
//   the baseline (delta 0) — a restart loses at most one export interval, it never counts twice.
// At most maxSeries series are remembered: the least recently updated go first (they become baselines
// again). Used on one decode worker only.
class CumulativeTracker final {
public:
    CumulativeTracker(TimeNs startedAt, std::size_t maxSeries) : m_startedAt(startedAt), m_max(maxSeries) {}

    // values: the cumulative values of one point, replaced by their deltas. False: a repeat.
    bool toDelta(const std::string &series, TimeNs start, TimeNs time, std::vector<double> &values);
    std::size_t size() const { return m_series.size(); }

private:
    struct State {
        TimeNs time = 0;
        std::uint64_t touched = 0;
        std::vector<double> values;
    };
    void evict();

    TimeNs m_startedAt;
    std::size_t m_max;
    std::uint64_t m_clock = 0;
    std::unordered_map<std::string, State> m_series;
};

} // namespace fg
