#include "logchunkcodec.h"

#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace fg {

namespace {

// Fast level: the writer compresses every event once on its thread; level 3 costs about twice the time
// for a few percent fewer bytes on log lines.
constexpr int kZstdLevel = 1;
// No block of a chunk decompresses to more than this (a chunk holds at most a few thousand events, each
// bounded by ingest): a damaged size field must not allocate gigabytes.
constexpr std::size_t kMaxBlockBytes = 512u << 20;
constexpr int kTextProbes = 2;
constexpr int kKeyProbes = 4;

void putVarint(std::string &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(char(v | 0x80));
        v >>= 7;
    }
    out.push_back(char(v));
}

std::uint64_t zigzag(std::int64_t v) { return (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63); }
std::int64_t unzigzag(std::uint64_t v) { return std::int64_t(v >> 1) ^ -std::int64_t(v & 1); }

class Reader {
public:
    explicit Reader(std::string_view in) : m_in(in) {}
    std::uint64_t varint()
    {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_pos >= m_in.size())
                throw LogChunkCorrupt();
            const auto b = std::uint8_t(m_in[m_pos++]);
            v |= std::uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80))
                return v;
        }
        throw LogChunkCorrupt();
    }
    std::string_view bytes(std::size_t n)
    {
        if (n > m_in.size() - m_pos)
            throw LogChunkCorrupt();
        const std::string_view v = m_in.substr(m_pos, n);
        m_pos += n;
        return v;
    }

private:
    std::string_view m_in;
    std::size_t m_pos = 0;
};

std::string compress(const std::string &raw)
{
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    const std::size_t n = ZSTD_compress(out.data(), out.size(), raw.data(), raw.size(), kZstdLevel);
    if (ZSTD_isError(n))
        throw std::runtime_error(ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

std::string decompress(std::string_view block)
{
    const unsigned long long size = ZSTD_getFrameContentSize(block.data(), block.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxBlockBytes)
        throw LogChunkCorrupt();
    std::string out(std::size_t(size), '\0');
    const std::size_t n = ZSTD_decompress(out.data(), out.size(), block.data(), block.size());
    if (ZSTD_isError(n) || n != size)
        throw LogChunkCorrupt();
    return out;
}

bool isHexBytes(std::string_view v)
{
    if (v.size() % 2)
        return false;
    for (char c : v)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

int hexDigit(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// Values as lengths then bytes; lowercase hex values (trace and span ids) as the bytes they spell, half
// the size, when every value of the column is one.
void putValues(std::string &out, const std::vector<std::string_view> &values)
{
    const bool hex = std::all_of(values.begin(), values.end(), isHexBytes);
    out.push_back(hex ? 1 : 0);
    for (std::string_view v : values)
        putVarint(out, hex ? v.size() / 2 : v.size());
    for (std::string_view v : values) {
        if (!hex) {
            out.append(v);
            continue;
        }
        for (std::size_t i = 0; i < v.size(); i += 2)
            out.push_back(char(hexDigit(v[i]) << 4 | hexDigit(v[i + 1])));
    }
}

void readValues(Reader &in, int count, StringColumn &col)
{
    const std::string_view mode = in.bytes(1);
    const bool hex = mode[0] == 1;
    if (mode[0] != 0 && !hex)
        throw LogChunkCorrupt();
    col.ends.resize(std::size_t(count));
    std::uint64_t total = 0;
    for (int i = 0; i < count; ++i) {
        total += in.varint() * (hex ? 2 : 1);
        if (total > kMaxBlockBytes)
            throw LogChunkCorrupt();
        col.ends[std::size_t(i)] = std::uint32_t(total);
    }
    const std::string_view bytes = in.bytes(std::size_t(hex ? total / 2 : total));
    if (!hex) {
        col.data = std::string(bytes);
        return;
    }
    static const char *digits = "0123456789abcdef";
    col.data.resize(std::size_t(total));
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        col.data[2 * i] = digits[std::uint8_t(bytes[i]) >> 4];
        col.data[2 * i + 1] = digits[std::uint8_t(bytes[i]) & 15];
    }
}

// Distinct values once, then each row's index, when values repeat (endpoints, methods, trace ids of a
// few events each); the values themselves otherwise (an index would only add bytes).
void putColumn(std::string &out, const std::vector<std::string_view> &values)
{
    std::unordered_map<std::string_view, std::uint32_t> index;
    std::vector<std::string_view> distinct;
    std::vector<std::uint32_t> rows;
    rows.reserve(values.size());
    for (std::string_view v : values) {
        auto [it, added] = index.emplace(v, std::uint32_t(distinct.size()));
        if (added)
            distinct.push_back(v);
        rows.push_back(it->second);
    }
    const bool dictionary = distinct.size() * 4 < values.size() * 3;
    out.push_back(dictionary ? 1 : 0);
    if (!dictionary) {
        putValues(out, values);
        return;
    }
    putVarint(out, distinct.size());
    putValues(out, distinct);
    for (std::uint32_t r : rows)
        putVarint(out, r);
}

void readColumn(Reader &in, int count, StringColumn &col)
{
    const std::string_view mode = in.bytes(1);
    if (mode[0] == 0) {
        readValues(in, count, col);
        return;
    }
    if (mode[0] != 1)
        throw LogChunkCorrupt();
    const std::uint64_t n = in.varint();
    if (n > std::uint64_t(count))
        throw LogChunkCorrupt();
    StringColumn distinct;
    readValues(in, int(n), distinct);
    col.ends.resize(std::size_t(count));
    for (int i = 0; i < count; ++i) {
        const std::uint64_t r = in.varint();
        if (r >= n)
            throw LogChunkCorrupt();
        col.data.append(distinct.at(std::size_t(r)));
        col.ends[std::size_t(i)] = std::uint32_t(col.data.size());
    }
}

// Latency: 0 for none, odd for a whole number of microseconds (most values), else 2 and the double.
void putLatency(std::string &out, double v)
{
    if (std::isnan(v)) {
        putVarint(out, 0);
        return;
    }
    if (std::fabs(v) < 1e12) {
        const auto us = std::int64_t(std::llround(v * 1000));
        if (double(us) / 1000 == v) {
            putVarint(out, (zigzag(us) << 1) | 1);
            return;
        }
    }
    putVarint(out, 2);
    char raw[8];
    std::memcpy(raw, &v, 8);
    out.append(raw, 8);
}

double readLatency(Reader &in)
{
    const std::uint64_t tag = in.varint();
    if (tag == 0)
        return NAN;
    if (tag & 1)
        return double(unzigzag(tag >> 1)) / 1000;
    double v;
    std::memcpy(&v, in.bytes(8).data(), 8);
    return v;
}

char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

std::uint32_t mix32(std::uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

// FNV-1a: stable across builds and machines (the filter is stored).
std::uint64_t fnv(std::string_view s, char kind)
{
    std::uint64_t h = 1469598103934665603ULL;
    h = (h ^ std::uint8_t(kind)) * 1099511628211ULL;
    for (char c : s)
        h = (h ^ std::uint8_t(c)) * 1099511628211ULL;
    return h;
}

std::size_t bloomBits(std::size_t items, std::size_t bitsPerItem, std::size_t minBits, std::size_t maxBits)
{
    std::size_t bits = minBits;
    while (bits < items * bitsPerItem && bits < maxBits)
        bits <<= 1;
    return bits;
}

void setBits(std::string &bloom, std::uint64_t h, int probes)
{
    const std::size_t mask = bloom.size() * 8 - 1;
    const auto h1 = std::uint32_t(h), h2 = std::uint32_t(h >> 32) | 1;
    for (int i = 0; i < probes; ++i) {
        const std::size_t bit = (h1 + std::uint32_t(i) * h2) & mask;
        bloom[bit >> 3] = char(std::uint8_t(bloom[bit >> 3]) | (1u << (bit & 7)));
    }
}

bool testBits(std::string_view bloom, std::uint64_t h, int probes)
{
    if (bloom.empty() || (bloom.size() & (bloom.size() - 1)))
        return bloom.empty() ? false : true;
    const std::size_t mask = bloom.size() * 8 - 1;
    const auto h1 = std::uint32_t(h), h2 = std::uint32_t(h >> 32) | 1;
    for (int i = 0; i < probes; ++i) {
        const std::size_t bit = (h1 + std::uint32_t(i) * h2) & mask;
        if (!(std::uint8_t(bloom[bit >> 3]) & (1u << (bit & 7))))
            return false;
    }
    return true;
}

std::uint64_t trigramHash(std::uint32_t trigram)
{
    const std::uint32_t a = mix32(trigram);
    return (std::uint64_t(mix32(a ^ 0x9e3779b9U)) << 32) | a;
}

} // namespace

std::uint32_t levelsAtLeast(Level minLevel)
{
    std::uint32_t mask = 0;
    for (unsigned l = unsigned(minLevel); l <= unsigned(Level::Fatal); ++l)
        mask |= 1u << l;
    return mask;
}

EncodedLogChunk encodeLogChunk(std::vector<std::pair<std::int64_t, const LogRecord *>> rows)
{
    std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
        return a.second->ts != b.second->ts ? a.second->ts < b.second->ts : a.first < b.first;
    });
    EncodedLogChunk c;
    c.count = int(rows.size());
    if (rows.empty())
        return c;
    c.minTs = rows.front().second->ts;
    c.maxTs = rows.back().second->ts;
    c.minId = c.maxId = rows.front().first;
    c.minReceived = c.maxReceived = rows.front().second->received;
    c.expiresAt = std::max(rows.front().second->ts, rows.front().second->received);

    std::string keys, fields, messages, attributes;
    std::int64_t prevId = 0;
    TimeNs prevTs = 0;
    for (const auto &[id, r] : rows) {
        putVarint(keys, zigzag(id - prevId));
        putVarint(keys, zigzag(r->ts - prevTs));
        putVarint(keys, zigzag(r->received - r->ts));
        prevId = id;
        prevTs = r->ts;
        c.minId = std::min(c.minId, id);
        c.maxId = std::max(c.maxId, id);
        c.minReceived = std::min(c.minReceived, r->received);
        c.maxReceived = std::max(c.maxReceived, r->received);
        c.expiresAt = std::min(c.expiresAt, std::max(r->ts, r->received));
        c.levelMask |= levelBit(r->level);
        if (!r->signalId.empty())
            ++c.signalCount;
    }
    for (const auto &row : rows)
        keys.push_back(char(row.second->level));

    auto column = [&](std::string LogRecord::*field) {
        std::vector<std::string_view> v;
        v.reserve(rows.size());
        for (const auto &row : rows)
            v.emplace_back(row.second->*field);
        return v;
    };
    putColumn(fields, column(&LogRecord::levelRaw));
    for (const auto &row : rows)
        putLatency(fields, row.second->latencyMs);
    for (const auto &row : rows)
        putVarint(fields, zigzag(row.second->statusCode));
    putColumn(fields, column(&LogRecord::endpoint));
    putColumn(fields, column(&LogRecord::method));
    const auto traces = column(&LogRecord::traceId);
    putColumn(fields, traces);
    putColumn(fields, column(&LogRecord::spanId));
    putColumn(fields, column(&LogRecord::signalId));
    const auto tags = column(&LogRecord::tags);
    putColumn(fields, tags);
    const auto texts = column(&LogRecord::message);
    // Messages and attributes rarely repeat whole (zstd finds what they share): no dictionary to build.
    messages.push_back(0);
    putValues(messages, texts);
    attributes.push_back(0);
    putValues(attributes, column(&LogRecord::attributes));

    // Trigrams of the lowercased messages, a couple of bits each; sized by the events, not the distinct
    // trigrams (counting those costs more than the filter saves), about two bytes per event.
    c.textBloom.assign(bloomBits(rows.size(), 16, 4096, 1u << 17) / 8, '\0');
    for (std::string_view t : texts) {
        std::uint32_t tri = 0;
        for (std::size_t i = 0; i < t.size(); ++i) {
            tri = ((tri << 8) | std::uint8_t(asciiLower(t[i]))) & 0xffffff;
            if (i >= 2)
                setBits(c.textBloom, trigramHash(tri), kTextProbes);
        }
    }
    // Trace ids and tags: exact tokens.
    std::vector<std::uint64_t> tokens;
    for (std::string_view t : traces)
        if (!t.empty())
            tokens.push_back(fnv(t, 'r'));
    for (std::string_view t : tags) {
        std::size_t start = 0;
        while (start < t.size()) {
            std::size_t end = t.find(',', start);
            if (end == std::string_view::npos)
                end = t.size();
            if (end > start)
                tokens.push_back(fnv(t.substr(start, end - start), 't'));
            start = end + 1;
        }
    }
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    if (!tokens.empty()) {
        c.keyBloom.assign(bloomBits(tokens.size(), 10, 64, 1u << 17) / 8, '\0');
        for (std::uint64_t h : tokens)
            setBits(c.keyBloom, h, kKeyProbes);
    }
    c.keys = compress(keys);
    c.fields = compress(fields);
    c.messages = compress(messages);
    c.attributes = compress(attributes);
    return c;
}

LogChunkKeys decodeLogChunkKeys(std::string_view block, int count)
{
    const std::string raw = decompress(block);
    Reader in(raw);
    LogChunkKeys k;
    k.ids.resize(std::size_t(count));
    k.ts.resize(std::size_t(count));
    k.received.resize(std::size_t(count));
    std::int64_t id = 0;
    TimeNs ts = 0;
    for (std::size_t i = 0; i < std::size_t(count); ++i) {
        id += unzigzag(in.varint());
        ts += unzigzag(in.varint());
        k.ids[i] = id;
        k.ts[i] = ts;
        k.received[i] = ts + unzigzag(in.varint());
    }
    const std::string_view levels = in.bytes(std::size_t(count));
    k.levels.assign(levels.begin(), levels.end());
    return k;
}

LogChunkFields decodeLogChunkFields(std::string_view block, int count)
{
    const std::string raw = decompress(block);
    Reader in(raw);
    LogChunkFields f;
    readColumn(in, count, f.levelRaw);
    f.latency.resize(std::size_t(count));
    for (double &v : f.latency)
        v = readLatency(in);
    f.status.resize(std::size_t(count));
    for (int &s : f.status)
        s = int(unzigzag(in.varint()));
    readColumn(in, count, f.endpoint);
    readColumn(in, count, f.method);
    readColumn(in, count, f.traceId);
    readColumn(in, count, f.spanId);
    readColumn(in, count, f.signalId);
    readColumn(in, count, f.tags);
    return f;
}

StringColumn decodeLogChunkStrings(std::string_view block, int count)
{
    const std::string raw = decompress(block);
    Reader in(raw);
    StringColumn col;
    readColumn(in, count, col);
    return col;
}

std::vector<std::pair<std::int64_t, LogRecord>> decodeLogChunkRows(std::string_view keys, std::string_view fields,
                                                                   std::string_view messages,
                                                                   std::string_view attributes, int count,
                                                                   const std::string &service)
{
    const LogChunkKeys k = decodeLogChunkKeys(keys, count);
    const LogChunkFields f = decodeLogChunkFields(fields, count);
    const StringColumn m = decodeLogChunkStrings(messages, count);
    const StringColumn a = decodeLogChunkStrings(attributes, count);
    std::vector<std::pair<std::int64_t, LogRecord>> out(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < out.size(); ++i) {
        out[i].first = k.ids[i];
        LogRecord &r = out[i].second;
        r.ts = k.ts[i];
        r.received = k.received[i];
        r.service = service;
        r.level = Level(k.levels[i]);
        r.levelRaw = f.levelRaw.at(i);
        r.message = m.at(i);
        r.latencyMs = f.latency[i];
        r.statusCode = f.status[i];
        r.endpoint = f.endpoint.at(i);
        r.method = f.method.at(i);
        r.traceId = f.traceId.at(i);
        r.spanId = f.spanId.at(i);
        r.signalId = f.signalId.at(i);
        r.attributes = a.at(i);
        r.tags = f.tags.at(i);
    }
    return out;
}

bool textBloomMayContain(std::string_view bloom, std::string_view needle)
{
    if (needle.size() < 3)
        return true;
    for (unsigned char ch : needle)
        if (ch >= 0x80)
            return true; // Unicode case folding may match other bytes: no shortcut
    std::uint32_t tri = 0;
    for (std::size_t i = 0; i < needle.size(); ++i) {
        tri = ((tri << 8) | std::uint8_t(asciiLower(needle[i]))) & 0xffffff;
        if (i >= 2 && !testBits(bloom, trigramHash(tri), kTextProbes))
            return false;
    }
    return true;
}

bool keyBloomMayContainTrace(std::string_view bloom, std::string_view traceId)
{
    return testBits(bloom, fnv(traceId, 'r'), kKeyProbes);
}

bool keyBloomMayContainTag(std::string_view bloom, std::string_view tag)
{
    if (tag.empty() || tag.find(',') != std::string_view::npos)
        return true;
    return testBits(bloom, fnv(tag, 't'), kKeyProbes);
}

} // namespace fg
