#include "counttests.h"

#include <algorithm>
#include <cmath>

namespace fg {

namespace {

constexpr double kNormalAbove = 400; // expected counts above this take the normal approximation

// P(X >= k) for X ~ Poisson(lambda), by summing the lower terms in log space.
double poissonUpper(std::uint64_t k, double lambda)
{
    if (k == 0)
        return 1.0;
    double term = std::exp(-lambda), below = 0;
    for (std::uint64_t i = 0; i < k; ++i) {
        below += term;
        term *= lambda / double(i + 1);
    }
    return std::clamp(1.0 - below, 0.0, 1.0);
}

// P(X <= k) for X ~ Poisson(lambda).
double poissonLower(std::uint64_t k, double lambda)
{
    double term = std::exp(-lambda), sum = 0;
    for (std::uint64_t i = 0; i <= k; ++i) {
        sum += term;
        term *= lambda / double(i + 1);
    }
    return std::clamp(sum, 0.0, 1.0);
}

} // namespace

double zFromTail(double tail)
{
    // Acklam's rational approximation of the normal quantile (relative error < 1.2e-9).
    const double p = std::clamp(1.0 - tail, 1e-15, 1.0 - 1e-15);
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                   1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                   6.680131188771972e+01,  -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                   -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                   3.754408661907416e+00};
    constexpr double low = 0.02425;
    if (p < low) {
        const double q = std::sqrt(-2 * std::log(p));
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
               / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low) {
        const double q = std::sqrt(-2 * std::log(1 - p));
        return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
               / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    const double q = p - 0.5, r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
           / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double excessFailuresZ(std::uint64_t k, std::uint64_t n, double p)
{
    if (n == 0)
        return 0;
    p = std::clamp(p, 1e-6, 0.999);
    const double expected = double(n) * p;
    if (double(k) <= expected)
        return 0;
    if (expected > kNormalAbove) // continuity-corrected normal
        return (double(k) - 0.5 - expected) / std::sqrt(expected * (1 - p));
    return std::max(0.0, zFromTail(poissonUpper(k, expected)));
}

double shortfallZ(std::uint64_t k, double expected)
{
    if (expected <= 0 || double(k) >= expected)
        return 0;
    if (expected > kNormalAbove)
        return (expected - double(k) - 0.5) / std::sqrt(expected);
    return std::max(0.0, zFromTail(poissonLower(k, expected)));
}

} // namespace fg
