#pragma once

namespace fg {

// One-sided CUSUM (Page 1954) on standardised residuals: accumulates evidence of a sustained shift of
// more than `slack` sigmas, so a slow drift that never looks unusual point by point still adds up.
class Cusum final {
public:
    // slack: shifts smaller than this many sigmas are ignored; limit: the sum is capped there, so that
    // after a long incident the evidence drains within a few normal points.
    Cusum(double slack, double limit) : m_slack(slack), m_limit(limit) {}
    // z: the point's residual in sigmas, signed so that positive is the bad direction.
    double update(double z);
    double value() const { return m_sum; }
    void reset() { m_sum = 0; }

private:
    double m_slack;
    double m_limit;
    double m_sum = 0;
};

} // namespace fg
