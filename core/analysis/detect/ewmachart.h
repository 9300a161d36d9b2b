#pragma once

namespace fg {

// EWMA control chart (Roberts 1959) on standardised residuals: the smoothed residual in units of its own
// standard deviation, sqrt(lambda / (2 - lambda)). Reacts to moderate shifts within a few points.
class EwmaChart final {
public:
    explicit EwmaChart(double lambda = 0.3) : m_lambda(lambda) {}
    double update(double z);
    void reset() { m_ewma = 0; }

private:
    double m_lambda;
    double m_ewma = 0;
};

} // namespace fg
