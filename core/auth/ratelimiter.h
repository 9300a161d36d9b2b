#pragma once

#include <QByteArray>
#include <QHash>

#include <list>

namespace fg {

// Token buckets by key (a client address, a token id): on average `ratePerSecond` requests, in bursts of
// up to `burst`. Memory is bounded: at most maxBuckets keys, the least recently charged forgotten first
// (in O(1): a key that comes back starts with a full bucket, which is why the cap is far above the
// number of clients a team has). Not thread-safe: the listener thread owns it.
class RateLimiter final {
public:
    struct Decision {
        bool allowed = true;
        int limit = 0;       // the burst
        int remaining = 0;   // requests left now
        int resetSeconds = 0; // until the bucket is full again
        int retryAfterSeconds = 0; // until the next request is allowed (refused requests only)
    };

    RateLimiter(double ratePerSecond, int burst, int maxBuckets);
    bool enabled() const { return m_rate > 0; }
    // Charges one request to `key` at monotonic time nowMs.
    Decision take(const QByteArray &key, qint64 nowMs);
    int bucketCount() const { return int(m_index.size()); }

private:
    struct Bucket {
        QByteArray key;
        double tokens;
        qint64 updatedMs;
    };
    using Recency = std::list<Bucket>; // most recently charged first

    double m_rate;
    int m_burst;
    int m_maxBuckets;
    Recency m_recency;
    QHash<QByteArray, Recency::iterator> m_index;
};

} // namespace fg
