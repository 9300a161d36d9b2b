#include "ddsketch.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace fg {

namespace {
constexpr int kMaxBuckets = 2048;     // 1 % accuracy spans 1e-3 ms .. 1e14 ms in far fewer
constexpr double kMinValue = 1e-6;    // below this a value counts as zero
constexpr std::uint32_t kMagic = 0x46474431; // "FGD1"

template <typename T>
void put(std::string &out, T v)
{
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out.append(buf, sizeof(T));
}

template <typename T>
bool get(std::string_view &in, T &v)
{
    if (in.size() < sizeof(T))
        return false;
    std::memcpy(&v, in.data(), sizeof(T));
    in.remove_prefix(sizeof(T));
    return true;
}
} // namespace

DDSketch::DDSketch(double alpha)
    : m_alpha(alpha), m_gamma((1 + alpha) / (1 - alpha)), m_logGamma(std::log((1 + alpha) / (1 - alpha)))
{
}

int DDSketch::bucketOf(double value) const { return int(std::ceil(std::log(value) / m_logGamma)); }

// The representative of bucket i: 2 gamma^i / (gamma + 1) is within alpha of every value in it.
double DDSketch::valueOf(int bucket) const { return 2.0 * std::pow(m_gamma, bucket) / (m_gamma + 1.0); }

void DDSketch::ensure(int bucket)
{
    if (m_bins.empty()) {
        m_offset = bucket;
        m_bins.assign(1, 0);
        return;
    }
    if (bucket < m_offset) {
        m_bins.insert(m_bins.begin(), std::size_t(m_offset - bucket), 0);
        m_offset = bucket;
    } else if (bucket >= m_offset + int(m_bins.size())) {
        m_bins.resize(std::size_t(bucket - m_offset + 1), 0);
    }
    if (m_bins.size() > std::size_t(kMaxBuckets)) {
        // Collapse the lowest buckets into the first kept one.
        const std::size_t drop = m_bins.size() - kMaxBuckets;
        std::uint64_t moved = 0;
        for (std::size_t i = 0; i < drop; ++i)
            moved += m_bins[i];
        m_bins.erase(m_bins.begin(), m_bins.begin() + long(drop));
        m_bins.front() += moved;
        m_offset += int(drop);
    }
}

void DDSketch::addToBucket(int bucket, std::uint64_t count)
{
    ensure(bucket);
    // A bucket below the collapsed range counts in the lowest one kept.
    m_bins[std::size_t(std::max(bucket, m_offset) - m_offset)] += count;
}

void DDSketch::add(double value, std::uint64_t count)
{
    if (!(value >= 0) || count == 0 || std::isinf(value))
        return; // negative, NaN and infinite values have no place in a latency sketch
    if (m_count == 0) {
        m_min = m_max = value;
    } else {
        m_min = std::min(m_min, value);
        m_max = std::max(m_max, value);
    }
    m_count += count;
    m_sum += value * double(count);
    if (value < kMinValue) {
        m_zeros += count;
        return;
    }
    addToBucket(bucketOf(value), count);
}

void DDSketch::merge(const DDSketch &o)
{
    if (o.m_count == 0)
        return;
    if (m_count == 0) {
        m_min = o.m_min;
        m_max = o.m_max;
    } else {
        m_min = std::min(m_min, o.m_min);
        m_max = std::max(m_max, o.m_max);
    }
    m_count += o.m_count;
    m_sum += o.m_sum;
    m_zeros += o.m_zeros;
    for (std::size_t i = 0; i < o.m_bins.size(); ++i) {
        if (!o.m_bins[i])
            continue;
        addToBucket(o.m_offset + int(i), o.m_bins[i]);
    }
}

double DDSketch::quantile(double q) const
{
    if (m_count == 0)
        return NAN;
    q = std::clamp(q, 0.0, 1.0);
    if (q == 0)
        return m_min;
    if (q == 1)
        return m_max;
    const double rank = q * double(m_count - 1);
    double seen = double(m_zeros);
    if (rank < seen)
        return 0;
    for (std::size_t i = 0; i < m_bins.size(); ++i) {
        seen += double(m_bins[i]);
        if (seen > rank)
            return std::clamp(valueOf(m_offset + int(i)), m_min, m_max);
    }
    return m_max;
}

std::string DDSketch::toBytes() const
{
    std::string out;
    out.reserve(48 + m_bins.size() * 3);
    put(out, kMagic);
    put(out, m_alpha);
    put(out, m_count);
    put(out, m_zeros);
    put(out, m_sum);
    put(out, m_min);
    put(out, m_max);
    put(out, std::int32_t(m_offset));
    put(out, std::uint32_t(m_bins.size()));
    // Counts as LEB128 varints: most buckets hold small numbers.
    for (std::uint64_t c : m_bins) {
        do {
            std::uint8_t byte = c & 0x7f;
            c >>= 7;
            if (c)
                byte |= 0x80;
            out.push_back(char(byte));
        } while (c);
    }
    return out;
}

DDSketch DDSketch::fromBytes(std::string_view in)
{
    std::uint32_t magic = 0, n = 0;
    double alpha = 0;
    DDSketch s;
    if (!get(in, magic) || magic != kMagic || !get(in, alpha) || !(alpha > 0 && alpha < 1))
        return s;
    s = DDSketch(alpha);
    std::int32_t offset = 0;
    if (!get(in, s.m_count) || !get(in, s.m_zeros) || !get(in, s.m_sum) || !get(in, s.m_min) || !get(in, s.m_max)
        || !get(in, offset) || !get(in, n) || n > std::uint32_t(kMaxBuckets))
        return DDSketch(alpha);
    s.m_offset = offset;
    s.m_bins.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        std::uint64_t v = 0;
        int shift = 0;
        std::uint8_t byte = 0;
        do {
            if (!get(in, byte) || shift > 63)
                return DDSketch(alpha);
            v |= std::uint64_t(byte & 0x7f) << shift;
            shift += 7;
        } while (byte & 0x80);
        s.m_bins[i] = v;
    }
    return s;
}

} // namespace fg
