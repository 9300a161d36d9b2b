#pragma once

#include <cstdint>

namespace fg {

// Significance of small counts, for KPIs that are ratios or rates of few events: one failure among a
// dozen night-time requests, or six requests where twelve were usual, are ordinary luck. Each returns the
// evidence as a one-sided z-score (0 when the count is not on the tested side).

// Failures `k` of `n` trials when the usual failure share is `p`: how unlikely is k or more (Poisson
// approximation of the binomial tail, accurate for small p, normal approximation for large counts).
double excessFailuresZ(std::uint64_t k, std::uint64_t n, double p);
// `k` events where `expected` were usual: how unlikely is k or fewer (Poisson lower tail).
double shortfallZ(std::uint64_t k, double expected);
// The z-score whose upper-tail probability is `tail` (inverse of the normal survival function).
double zFromTail(double tail);

} // namespace fg
