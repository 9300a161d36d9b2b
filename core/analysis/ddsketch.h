#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fg {

// DDSketch (Masson, Rim, Lee, VLDB 2019): a mergeable quantile sketch whose answers are within a
// relative error alpha of the exact quantile. Values are non-negative (latencies); bucket i holds
// values in (gamma^(i-1), gamma^i] with gamma = (1 + alpha) / (1 - alpha). The bucket range grows on
// demand and is capped: past kMaxBuckets the lowest buckets are collapsed together, which only loses
// accuracy on the smallest values.
class DDSketch final {
public:
    explicit DDSketch(double alpha = 0.01);

    void add(double value, std::uint64_t count = 1);
    void merge(const DDSketch &other);
    // q in [0, 1]; NaN when empty.
    double quantile(double q) const;
    std::uint64_t count() const { return m_count; }
    double sum() const { return m_sum; }
    double min() const { return m_min; }
    double max() const { return m_max; }
    bool empty() const { return m_count == 0; }
    std::size_t memoryBytes() const { return m_bins.capacity() * sizeof(std::uint64_t); }

    // Compact binary form for storage; fromBytes returns an empty sketch for foreign data.
    std::string toBytes() const;
    static DDSketch fromBytes(std::string_view bytes);

private:
    int bucketOf(double value) const;
    double valueOf(int bucket) const;
    void ensure(int bucket);
    void addToBucket(int bucket, std::uint64_t count);

    double m_alpha;
    double m_gamma;
    double m_logGamma;
    int m_offset = 0; // bucket index of m_bins[0]
    std::vector<std::uint64_t> m_bins;
    std::uint64_t m_zeros = 0; // values below the smallest tracked magnitude (and zeros)
    std::uint64_t m_count = 0;
    double m_sum = 0;
    double m_min = 0;
    double m_max = 0;
};

} // namespace fg
