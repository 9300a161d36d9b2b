#include "metricchunkcodec.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "chunkbytes.h"

namespace fg {

namespace {
constexpr std::uint64_t kFormat = 1;
constexpr int kValueBytes = 8;

std::uint64_t bitsOf(double v)
{
    std::uint64_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

double valueOf(std::uint64_t b)
{
    double v;
    std::memcpy(&v, &b, sizeof v);
    return v;
}
} // namespace

EncodedMetricChunk encodeMetricChunk(std::vector<MetricChunkPoint> points)
{
    std::sort(points.begin(), points.end(), [](const MetricChunkPoint &a, const MetricChunkPoint &b) {
        return a.seriesId != b.seriesId ? a.seriesId < b.seriesId : a.ts != b.ts ? a.ts < b.ts : a.id < b.id;
    });
    EncodedMetricChunk c;
    c.count = int(points.size());
    c.minTs = c.minReceived = c.minId = c.expiresAt = std::numeric_limits<std::int64_t>::max();
    c.maxTs = c.maxReceived = c.maxId = std::numeric_limits<std::int64_t>::min();
    std::string raw;
    raw.reserve(points.size() * 16);
    putVarint(raw, kFormat);
    putVarint(raw, points.size());
    std::int64_t series = 0, id = 0;
    TimeNs ts = 0, received = 0;
    for (const MetricChunkPoint &p : points) {
        putVarint(raw, zigzag(p.seriesId - series));
        series = p.seriesId;
        c.seriesMask |= metricSeriesBit(p.seriesId);
        c.minTs = std::min(c.minTs, p.ts);
        c.maxTs = std::max(c.maxTs, p.ts);
        c.minReceived = std::min(c.minReceived, p.received);
        c.maxReceived = std::max(c.maxReceived, p.received);
        c.expiresAt = std::min(c.expiresAt, std::max(p.ts, p.received));
        c.minId = std::min(c.minId, p.id);
        c.maxId = std::max(c.maxId, p.id);
        c.signalCount += p.signalId.empty() ? 0 : 1;
    }
    for (const MetricChunkPoint &p : points) {
        putVarint(raw, zigzag(std::int64_t(std::uint64_t(p.ts) - std::uint64_t(ts))));
        ts = p.ts;
    }
    for (const MetricChunkPoint &p : points) {
        putVarint(raw, zigzag(std::int64_t(std::uint64_t(p.id) - std::uint64_t(id))));
        id = p.id;
    }
    for (const MetricChunkPoint &p : points) {
        putVarint(raw, zigzag(std::int64_t(std::uint64_t(p.received) - std::uint64_t(received))));
        received = p.received;
    }
    // Values: the XOR with the previous value of the same series (equal values give zero), byte plane by
    // byte plane so that the zero bytes of near values sit together for zstd.
    const std::size_t planes = raw.size();
    raw.resize(planes + points.size() * kValueBytes);
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const std::uint64_t bits = bitsOf(points[i].value);
        const std::uint64_t x = bits ^ (i > 0 && points[i - 1].seriesId == points[i].seriesId ? previous : 0);
        previous = bits;
        for (int b = 0; b < kValueBytes; ++b)
            raw[planes + std::size_t(b) * points.size() + i] = char(x >> (8 * b));
    }
    for (const MetricChunkPoint &p : points) {
        putVarint(raw, p.signalId.size());
        raw += p.signalId;
    }
    c.block = compressBlock(raw);
    return c;
}

std::vector<MetricChunkPoint> decodeMetricChunk(std::string_view block, int count)
{
    const std::string raw = decompressBlock(block);
    ByteReader in(raw);
    if (in.varint() != kFormat || count < 0 || in.varint() != std::uint64_t(count))
        throw ChunkCorrupt();
    const auto n = std::size_t(count);
    std::vector<MetricChunkPoint> points(n);
    std::uint64_t series = 0, id = 0, ts = 0, received = 0;
    for (MetricChunkPoint &p : points)
        p.seriesId = std::int64_t(series += std::uint64_t(unzigzag(in.varint())));
    for (MetricChunkPoint &p : points)
        p.ts = TimeNs(ts += std::uint64_t(unzigzag(in.varint())));
    for (MetricChunkPoint &p : points)
        p.id = std::int64_t(id += std::uint64_t(unzigzag(in.varint())));
    for (MetricChunkPoint &p : points)
        p.received = TimeNs(received += std::uint64_t(unzigzag(in.varint())));
    const std::string_view planes = in.bytes(n * kValueBytes);
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t x = 0;
        for (int b = 0; b < kValueBytes; ++b)
            x |= std::uint64_t(std::uint8_t(planes[std::size_t(b) * n + i])) << (8 * b);
        const std::uint64_t bits = x ^ (i > 0 && points[i - 1].seriesId == points[i].seriesId ? previous : 0);
        previous = bits;
        points[i].value = valueOf(bits);
    }
    for (MetricChunkPoint &p : points)
        p.signalId = std::string(in.bytes(std::size_t(std::min<std::uint64_t>(in.varint(), kMaxBlockBytes))));
    if (!in.atEnd())
        throw ChunkCorrupt();
    return points;
}

} // namespace fg
