#pragma once

#include "cusum.h"
#include "ewmachart.h"
#include "levelshift.h"
#include "robustbaseline.h"
#include "seasonalprofile.h"

#include <cmath>
#include <limits>

namespace fg {

// What one KPI point looks like against its own history.
struct SeriesVerdict {
    bool warm = false;  // enough history to judge
    double value = 0;
    double baseline = 0; // expected value: robust median of the history, or of the same time in earlier days/weeks
    int seasonDays = 0;  // where the expected value comes from: 0 plain baseline, 1 time-of-day profile, 7 time-of-week
    double sigma = 0;    // signed distance in robust sigmas, positive in the bad direction
    double statistic = 0; // combined evidence in sigma units (3 = the classical control limit)
    double score = 0;     // statistic / (statistic + 3): 0.5 at the control limit
    bool raised = false;  // statistic at or above the activation level now
    bool active = false;  // raised, or still above the lower clearing level (hysteresis)
    bool extreme = false;

    // " for this time of day" / " for this time of week" / "": what the baseline is, for explanations.
    const char *baselineQualifier() const
    {
        return seasonDays == 1 ? " for this time of day" : seasonDays == 7 ? " for this time of week" : "";
    }
};

// Point-by-point detection on one KPI series: a robust baseline (median/MAD) gives each point a
// residual; the residual itself catches spikes, a level-shift test (median of the last three points) new
// levels, an EWMA chart moderate shifts and a CUSUM slow drift.
// Their combined statistic becomes a score in [0, 1]. Anomalous points stay out of the baseline so a
// degradation does not become the new normal while it lasts (until it has lasted a whole window).
// The sigma has floors, absolute and relative to the baseline: minute-to-minute noise alone understates
// how much a healthy KPI wanders over an hour.
// Seasonality: given point times, the detector also learns time-of-day and time-of-week profiles. Once a
// profile has a few periods behind it and predicts the points clearly better than the plain baseline (mean
// absolute error: a daily peak is a big error for a median even when most points sit at the median), the
// points are judged against the profile and the spread of its residuals:
// the nightly dip or the Monday peak is then normal, a flat line where a peak should be is not.
class SeriesDetector final {
public:
    struct Params {
        int direction = 1;          // +1: rising is bad (latency, errors); -1: falling is bad (throughput)
        // Points of history in the baseline. 500 for generic series (NAB: 56.6 vs 49.1 with 120); the
        // per-minute KPI detectors pass their own (DegradationDetector::Params::baselineMinutes).
        std::size_t window = 500;
        std::size_t warmup = 30;    // points before any verdict
        double minScale = 0;        // absolute floor for the robust sigma (e.g. 1 ms, 0.5 % error rate)
        double relScale = 0;        // floor as a share of the baseline: natural slow variation of the KPI
        double cusumSlack = 1.5;
        double cusumLimit = 10;     // CUSUM value that counts as 3 sigmas of evidence (and its cap)
        double ewmaLambda = 0.3;
        double activeAt = 3;        // statistic for a signal to count
        double clearBelow = 1.5;    // hysteresis: an active signal clears below this
        double extremeAt = 8;
        // Which tests make up the statistic (all by default; `flowguard detect --without` switches them off
        // to measure what each one earns).
        bool residual = true, levelShift = true, ewma = true, cusum = true, seasonal = true;
        // The time-of-week profile (about 10 KB a series from its first point): off where a coarser
        // detector already watches the week (a route, whose service's detector has one).
        bool weekly = true;
    };
    static constexpr TimeNs kNoTime = std::numeric_limits<TimeNs>::min();
    explicit SeriesDetector(Params params);

    // noiseScale: this point's own sampling noise, when known (e.g. binomial noise of an error rate over
    // few requests); the sigma is never smaller. at: the point's (event) time; without it there is no
    // seasonality.
    SeriesVerdict update(double value, double noiseScale = 0, TimeNs at = kNoTime);
    double baseline() const { return m_baseline.size() ? m_baseline.median() : 0.0; }
    // Heap and object bytes of the history kept (baselines, profiles).
    std::size_t memoryBytes() const
    {
        return sizeof(*this) + m_baseline.memoryBytes() + m_daily.profile.memoryBytes() + m_daily.residuals.memoryBytes()
               + m_weekly.profile.memoryBytes() + m_weekly.residuals.memoryBytes();
    }
    // Held while a degradation of its service is open: what the series shows then is the incident, so it
    // does not become the baseline after one window as a lone shift would (only after kHeldWindows).
    void setHeld(bool held) { m_held = held; }
    static constexpr std::size_t kHeldWindows = 2;
    // Drops the evidence the shift tests accumulated (a resolved degradation's): left to drain one point at
    // a time, it turned the first noisy point after a fix into an extreme new degradation. The baselines,
    // profiles and learning stay.
    void forgetEvidence()
    {
        m_cusum.reset();
        m_ewma.reset();
        m_shift.reset();
        m_active = false;
        m_activeRun = 0;
    }
    // New limits and warm-up from the settings; the history stays.
    void setLimits(double activeAt, double extremeAt, std::size_t warmup)
    {
        m_p.activeAt = activeAt;
        m_p.clearBelow = activeAt / 2;
        m_p.extremeAt = extremeAt;
        m_p.warmup = warmup;
    }

private:
    struct Seasonal {
        SeasonalProfile profile;
        RobustBaseline residuals;
        double expected = NAN; // profile value at the current point
        double error = 0;      // mean absolute error of the profile's predictions, exponentially weighted
    };
    // The model the current point is judged against: nullptr for the plain baseline.
    const Seasonal *bestModel() const;
    void learn(double value, TimeNs at, bool normal);

    Params m_p;
    RobustBaseline m_baseline;
    Seasonal m_daily;
    Seasonal m_weekly;
    double m_error = 0; // the same for the plain baseline
    Cusum m_cusum;
    EwmaChart m_ewma;
    LevelShift m_shift;
    bool m_active = false;
    bool m_held = false;
    std::size_t m_activeRun = 0;
};

} // namespace fg
