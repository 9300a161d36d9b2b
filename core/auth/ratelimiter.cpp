#include "ratelimiter.h"

#include <algorithm>
#include <cmath>

namespace fg {

RateLimiter::RateLimiter(double ratePerSecond, int burst, int maxBuckets)
    : m_rate(ratePerSecond), m_burst(std::max(1, burst)), m_maxBuckets(std::max(1, maxBuckets))
{
}

RateLimiter::Decision RateLimiter::take(const QByteArray &key, qint64 nowMs)
{
    Decision d;
    d.limit = m_burst;
    if (!enabled())
        return d;
    auto found = m_index.find(key);
    if (found == m_index.end()) {
        if (m_index.size() >= m_maxBuckets) {
            m_index.remove(m_recency.back().key);
            m_recency.pop_back();
        }
        m_recency.push_front(Bucket{key, double(m_burst), nowMs});
        found = m_index.insert(key, m_recency.begin());
    } else {
        m_recency.splice(m_recency.begin(), m_recency, found.value());
    }
    Bucket &b = *found.value();
    const double elapsed = double(std::max<qint64>(0, nowMs - b.updatedMs)) / 1000.0;
    b.tokens = std::min(double(m_burst), b.tokens + elapsed * m_rate);
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
