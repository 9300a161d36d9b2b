#pragma once

#include <QByteArray>
#include <QHash>

namespace fg {

// Token buckets by key (a client address, a token id): on average `ratePerSecond` requests, in bursts of
// up to `burst`. Memory is bounded: at most maxBuckets keys; when full, buckets that have refilled are
// forgotten (a full bucket and a missing one mean the same), else the one idle longest. Not thread-safe:
// the listener thread owns it.
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
    int bucketCount() const { return int(m_buckets.size()); }

private:
    struct Bucket {
        double tokens;
        qint64 updatedMs;
    };
    double refilled(const Bucket &b, qint64 nowMs) const;
    void makeRoom(qint64 nowMs);

    double m_rate;
    int m_burst;
    int m_maxBuckets;
    QHash<QByteArray, Bucket> m_buckets;
};

} // namespace fg
