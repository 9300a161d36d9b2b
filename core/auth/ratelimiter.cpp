#include "ratelimiter.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace fg {

RateLimiter::RateLimiter(double ratePerSecond, int burst, int maxBuckets)
    : m_rate(ratePerSecond), m_burst(std::max(1, burst)), m_maxBuckets(std::max(1, maxBuckets))
{
}

double RateLimiter::refilled(const Bucket &b, qint64 nowMs) const
{
    const double elapsed = double(std::max<qint64>(0, nowMs - b.updatedMs)) / 1000.0;
    return std::min(double(m_burst), b.tokens + elapsed * m_rate);
}

void RateLimiter::makeRoom(qint64 nowMs)
{
    for (auto it = m_buckets.begin(); it != m_buckets.end();)
        it = refilled(it.value(), nowMs) >= m_burst ? m_buckets.erase(it) : std::next(it);
    if (m_buckets.size() < m_maxBuckets)
        return;
    auto oldest = m_buckets.begin();
    for (auto it = m_buckets.begin(); it != m_buckets.end(); ++it)
        if (it.value().updatedMs < oldest.value().updatedMs)
            oldest = it;
    m_buckets.erase(oldest);
}

RateLimiter::Decision RateLimiter::take(const QByteArray &key, qint64 nowMs)
{
    Decision d;
    d.limit = m_burst;
    if (!enabled())
        return d;
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= m_maxBuckets)
            makeRoom(nowMs);
        it = m_buckets.insert(key, Bucket{double(m_burst), nowMs});
    }
    Bucket &b = it.value();
    b.tokens = refilled(b, nowMs);
    b.updatedMs = nowMs;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
    } else {
        d.allowed = false;
        d.retryAfterSeconds = std::max(1, int(std::ceil((1.0 - b.tokens) / m_rate)));
    }
    d.remaining = int(std::floor(b.tokens));
    d.resetSeconds = int(std::ceil((m_burst - b.tokens) / m_rate));
    return d;
}

} // namespace fg
