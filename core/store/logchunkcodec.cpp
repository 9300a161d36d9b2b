#include "logchunkcodec.h"

#include "chunkbytes.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <memory>

namespace fg {

namespace {

constexpr int kTextProbes = 2;
constexpr int kKeyProbes = kKeyFilterProbes;

class BitWriter {
public:
    void put(std::uint64_t v, int width)
    {
        for (int done = 0; done < width;) {
            const int n = std::min(width - done, 8 - m_used);
            m_byte |= std::uint8_t(((v >> done) & ((1u << n) - 1)) << m_used);
            m_used += n;
            done += n;
            if (m_used == 8)
                flush();
        }
    }
    std::string finish()
    {
        if (m_used)
            flush();
        return std::move(m_out);
    }

private:
    void flush()
    {
        m_out.push_back(char(m_byte));
        m_byte = 0;
        m_used = 0;
    }
    std::string m_out;
    std::uint8_t m_byte = 0;
    int m_used = 0;
};

class BitReader {
public:
    explicit BitReader(std::string_view in) : m_in(in) {}
    std::uint64_t get(int width)
    {
        std::uint64_t v = 0;
        for (int done = 0; done < width;) {
            if (m_bit / 8 >= m_in.size())
                throw ChunkCorrupt();
            const int used = int(m_bit % 8), n = std::min(width - done, 8 - used);
            v |= std::uint64_t((std::uint8_t(m_in[m_bit / 8]) >> used) & ((1u << n) - 1)) << done;
            done += n;
            m_bit += std::size_t(n);
        }
        return v;
    }

private:
    std::string_view m_in;
    std::size_t m_bit = 0;
};

int bitWidth(std::uint64_t v)
{
    int w = 0;
    while (v >> w)
        ++w;
    return w;
}

// Each byte's value as a lowercase hex digit, or -1.
constexpr std::array<std::int8_t, 256> kHexDigits = [] {
    std::array<std::int8_t, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[std::size_t(c)] = std::int8_t(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1);
    return t;
}();

int hexDigit(char c) { return kHexDigits[std::uint8_t(c)]; }

bool isHexBytes(std::string_view v)
{
    if (v.size() % 2)
        return false;
    int any = 0;
    for (char c : v)
        any |= hexDigit(c);
    return any >= 0;
}

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

void readValues(ByteReader &in, int count, StringColumn &col)
{
    const std::string_view mode = in.bytes(1);
    const bool hex = mode[0] == 1;
    if (mode[0] != 0 && !hex)
        throw ChunkCorrupt();
    col.ends.resize(std::size_t(count));
    std::uint64_t total = 0;
    for (int i = 0; i < count; ++i) {
        total += in.varint() * (hex ? 2 : 1);
        if (total > kMaxBlockBytes)
            throw ChunkCorrupt();
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

// The distinct values of a column in first-seen order, each row's index into them and each one's count:
// one hash per value (an open-addressed table of indices; the encoder's hottest loop is here).
class Dictionary {
public:
    // Stops (complete() false) once a new value makes `giveUp(distinct so far, row)` true.
    template<typename GiveUp>
    Dictionary(const std::vector<std::string_view> &values, GiveUp giveUp)
    {
        std::size_t capacity = 16;
        while (capacity < values.size() * 2)
            capacity <<= 1;
        m_slots.assign(capacity, kEmpty);
        rows.reserve(values.size());
        const std::size_t mask = capacity - 1;
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::string_view v = values[i];
            std::size_t at = hash(v) & mask;
            while (m_slots[at] != kEmpty && distinct[m_slots[at]] != v)
                at = (at + 1) & mask;
            if (m_slots[at] == kEmpty) {
                if (giveUp(distinct.size() + 1, i))
                    return;
                m_slots[at] = std::uint32_t(distinct.size());
                distinct.push_back(v);
                counts.push_back(0);
            }
            ++counts[m_slots[at]];
            rows.push_back(m_slots[at]);
        }
        m_complete = true;
    }
    explicit Dictionary(const std::vector<std::string_view> &values)
        : Dictionary(values, [](std::size_t, std::size_t) { return false; })
    {
    }
    bool complete() const { return m_complete; }

    std::vector<std::string_view> distinct;
    std::vector<std::uint32_t> rows, counts;

private:
    static constexpr std::uint32_t kEmpty = ~0u;
    static std::uint64_t hash(std::string_view v)
    {
        std::uint64_t h = v.size() * 0x9e3779b97f4a7c15ULL;
        std::size_t i = 0;
        for (; i + 8 <= v.size(); i += 8) {
            std::uint64_t w;
            std::memcpy(&w, v.data() + i, 8);
            h = (h ^ w) * 0xff51afd7ed558ccdULL;
            h ^= h >> 29;
        }
        std::uint64_t tail = 0;
        std::memcpy(&tail, v.data() + i, v.size() - i);
        h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
        return h ^ (h >> 32);
    }
    std::vector<std::uint32_t> m_slots;
    bool m_complete = false;
};

// Distinct values once, then each row's index, when values repeat (endpoints, methods, trace ids of a
// few events each); the values themselves otherwise (an index would only add bytes).
void putColumn(std::string &out, const std::vector<std::string_view> &values, const Dictionary &d)
{
    const bool dictionary = d.distinct.size() * 4 < values.size() * 3;
    out.push_back(dictionary ? 1 : 0);
    if (!dictionary) {
        putValues(out, values);
        return;
    }
    putVarint(out, d.distinct.size());
    putValues(out, d.distinct);
    for (std::uint32_t r : d.rows)
        putVarint(out, r);
}

void putColumn(std::string &out, const std::vector<std::string_view> &values) { putColumn(out, values, Dictionary(values)); }

void readWords(ByteReader &in, int count, StringColumn &col, BitReader &bits);
void readPacked(ByteReader &in, int count, StringColumn &col, BitReader &bits, char mode);

// `bits`: the packed values of a format 2 block of strings, whose word columns may use modes 3 and 4.
void readColumn(ByteReader &in, int count, StringColumn &col, BitReader *bits = nullptr, bool wordsAllowed = false)
{
    const std::string_view mode = in.bytes(1);
    if (mode[0] == 0) {
        readValues(in, count, col);
        return;
    }
    if (mode[0] == 2 && wordsAllowed && bits) {
        readWords(in, count, col, *bits);
        return;
    }
    if ((mode[0] == 3 || mode[0] == 4) && bits && !wordsAllowed) {
        readPacked(in, count, col, *bits, mode[0]);
        return;
    }
    if (mode[0] != 1)
        throw ChunkCorrupt();
    const std::uint64_t n = in.varint();
    if (n > std::uint64_t(count))
        throw ChunkCorrupt();
    StringColumn distinct;
    readValues(in, int(n), distinct);
    col.ends.resize(std::size_t(count));
    for (int i = 0; i < count; ++i) {
        const std::uint64_t r = in.varint();
        if (r >= n)
            throw ChunkCorrupt();
        col.data.append(distinct.at(std::size_t(r)));
        col.ends[std::size_t(i)] = std::uint32_t(col.data.size());
    }
}

// A value split after each space or comma, the words kept with their separator: concatenated they give the
// value back exactly, whatever its bytes. The last word takes the rest of a very long value.
constexpr std::size_t kMaxWords = 64;

std::size_t splitWords(std::string_view v, std::string_view *words)
{
    std::size_t n = 0, start = 0;
    for (std::size_t i = 0; i < v.size() && n + 1 < kMaxWords; ++i)
        if (v[i] == ' ' || v[i] == ',') {
            words[n++] = v.substr(start, i + 1 - start);
            start = i + 1;
        }
    if (start < v.size())
        words[n++] = v.substr(start);
    return n;
}

// Messages and attributes (format 2): the number of words of each value, then one column per word
// position (the n-th words of every value that has one), each dictionary-encoded when its values repeat.
// Values of one template line up: the constant words cost a dictionary entry, the variable ones sit next
// to their kind (digits by digits, "key=" by "key="), which zstd compresses far better than whole lines.
// A number between a prefix and a suffix shared by every value of a word column ("latency=12.50ms ",
// "user_id=u004211 ", "api-3fa2c"): decimal with a fixed count of fraction digits, either zero-padded
// to one width or without leading zeros, or lowercase hex of one length.
struct NumberTemplate {
    std::string_view prefix, suffix;
    bool hex = false;
    int fraction = 0; // decimal digits after the point
    int width = 0;    // characters of every number (zero-padded), 0: as short as it is
};

constexpr std::uint64_t kPowersOf10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

std::string formatNumber(std::uint64_t v, const NumberTemplate &t)
{
    std::string s;
    if (t.hex) {
        s.assign(std::size_t(t.width), '0');
        for (int i = t.width - 1; i >= 0 && v; --i, v >>= 4)
            s[std::size_t(i)] = "0123456789abcdef"[v & 15];
        return s;
    }
    const std::uint64_t scale = kPowersOf10[t.fraction];
    s = std::to_string(v / scale);
    if (t.fraction) {
        const std::string f = std::to_string(v % scale);
        s += '.';
        s.append(std::size_t(t.fraction) - f.size(), '0');
        s += f;
    }
    if (int(s.size()) < t.width)
        s.insert(0, std::size_t(t.width) - s.size(), '0');
    return s;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHexDigit(char c) { return isDigit(c) || (c >= 'a' && c <= 'f'); }

// Whether formatNumber gives this text (digits already checked) back: a fixed width needs it exactly;
// otherwise no leading zero but a lone one. Decimals need their point where the fraction puts it.
bool isCanonical(std::string_view m, const NumberTemplate &t)
{
    if (t.hex || (t.width && int(m.size()) != t.width))
        return !t.width || int(m.size()) == t.width;
    std::size_t integer = m.size();
    if (t.fraction) {
        if (m.size() < std::size_t(t.fraction) + 2 || m[m.size() - std::size_t(t.fraction) - 1] != '.')
            return false;
        integer = m.size() - std::size_t(t.fraction) - 1;
    }
    if (m.find('.') < integer)
        return false;
    return t.width || integer == 1 || (integer > 1 && m[0] != '0');
}

// The template most values fit, the numbers of those that do and the indexes of the few that do not
// (a line of another template in the same word position); false when none gives a value back exactly or
// too many do not fit.
bool findNumberTemplate(const std::vector<std::string_view> &values, NumberTemplate &t, std::vector<std::uint64_t> &numbers,
                        std::vector<std::size_t> &exceptions)
{
    if (values.size() < 8)
        return false;
    const std::string_view ref = values[values.size() / 2];
    if (ref.empty())
        return false;
    std::size_t prefix = ref.size(), suffix = ref.size();
    for (std::string_view v : values) {
        if (v.empty() || v.front() != ref.front() || v.back() != ref.back())
            continue; // not of the template: an exception below
        prefix = std::min(prefix, v.size());
        while (prefix && v.compare(0, prefix, ref, 0, prefix) != 0)
            --prefix;
        suffix = std::min(suffix, v.size());
        while (suffix && v.substr(v.size() - suffix) != ref.substr(ref.size() - suffix))
            --suffix;
    }
    // The number starts and ends at a digit boundary, not inside what all values happen to share.
    while (prefix && isHexDigit(ref[prefix - 1]))
        --prefix;
    while (suffix && isHexDigit(ref[ref.size() - suffix]))
        --suffix;
    if (prefix + suffix >= ref.size())
        return false;
    t.prefix = ref.substr(0, prefix);
    t.suffix = ref.substr(ref.size() - suffix);
    auto fitsAround = [&](std::string_view v) {
        return v.size() > prefix + suffix && v.substr(0, prefix) == t.prefix && v.substr(v.size() - suffix) == t.suffix;
    };
    auto middle = [&](std::string_view v) { return v.substr(prefix, v.size() - prefix - suffix); };
    const std::string_view first = middle(ref);
    const std::size_t point = first.find('.');
    t.fraction = point == std::string_view::npos ? 0 : int(first.size() - point - 1);
    bool sameLength = true;
    for (std::string_view v : values)
        sameLength = sameLength && (!fitsAround(v) || middle(v).size() == first.size());
    auto fits = [&] {
        numbers.clear();
        exceptions.clear();
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::string_view v = values[i];
            bool fit = fitsAround(v);
            std::uint64_t n = 0;
            int digits = 0;
            for (char c : fit ? middle(v) : std::string_view()) {
                if (c == '.' && !t.hex)
                    continue;
                if ((t.hex ? !isHexDigit(c) : !isDigit(c)) || ++digits > (t.hex ? 15 : 18)) {
                    fit = false;
                    break;
                }
                n = n * (t.hex ? 16 : 10) + std::uint64_t(isDigit(c) ? c - '0' : c - 'a' + 10);
            }
            if (fit && isCanonical(middle(v), t))
                numbers.push_back(n);
            else if (exceptions.size() * 16 < values.size())
                exceptions.push_back(i);
            else
                return false;
        }
        return true;
    };
    t.hex = false;
    t.width = sameLength ? int(first.size()) : 0;
    if (t.fraction <= 8 && fits())
        return true;
    t.hex = true;
    t.fraction = 0;
    t.width = int(first.size());
    return sameLength && fits();
}

void putString(std::string &out, std::string_view v)
{
    putVarint(out, v.size());
    out.append(v);
}

// A word column of a format 2 block: a dictionary with bit-packed indices when its values repeat evenly
// (mode 3; unevenly, zstd does better with an index a byte: mode 1), a number template with bit-packed
// numbers when every value fits one (mode 4), the values otherwise.
void putWordColumn(std::string &out, const std::vector<std::string_view> &values, BitWriter &bits)
{
    // Too many distinct values, or the first 64 all different: counting the rest costs more than it finds.
    const Dictionary d(values, [&](std::size_t distinct, std::size_t row) {
        return distinct * 4 >= values.size() * 3 || (distinct == 64 && row == 63);
    });
    if (d.complete()) {
        const int width = bitWidth(d.distinct.size() - 1);
        double entropy = 0;
        for (const std::uint32_t n : d.counts)
            entropy -= double(n) / double(values.size()) * std::log2(double(n) / double(values.size()));
        if (width > 0 && entropy > 0.7 * width) {
            out.push_back(3);
            putVarint(out, d.distinct.size());
            putValues(out, d.distinct);
            for (const std::uint32_t r : d.rows)
                bits.put(r, width);
            return;
        }
        putColumn(out, values, d);
        return;
    }
    NumberTemplate t;
    std::vector<std::uint64_t> numbers;
    std::vector<std::size_t> exceptions;
    if (!findNumberTemplate(values, t, numbers, exceptions) || numbers.empty()) {
        putColumn(out, values);
        return;
    }
    const auto [low, high] = std::minmax_element(numbers.begin(), numbers.end());
    const std::uint64_t base = *low;
    const int width = bitWidth(*high - base);
    out.push_back(4);
    putString(out, t.prefix);
    putString(out, t.suffix);
    out.push_back(char(t.hex));
    out.push_back(char(t.fraction));
    out.push_back(char(t.width));
    putVarint(out, base);
    out.push_back(char(width));
    putVarint(out, exceptions.size());
    std::size_t previous = 0;
    for (std::size_t i : exceptions) {
        putVarint(out, i - previous);
        putString(out, values[i]);
        previous = i;
    }
    for (std::uint64_t n : numbers)
        bits.put(n - base, width);
}

void readPacked(ByteReader &in, int count, StringColumn &col, BitReader &bits, char mode)
{
    col.ends.resize(std::size_t(count));
    if (mode == 3) {
        const std::uint64_t n = in.varint();
        if (n == 0 || n > std::uint64_t(count))
            throw ChunkCorrupt();
        StringColumn distinct;
        readValues(in, int(n), distinct);
        const int width = bitWidth(n - 1);
        for (std::size_t i = 0; i < std::size_t(count); ++i) {
            const std::uint64_t r = bits.get(width);
            if (r >= n || col.data.size() > kMaxBlockBytes)
                throw ChunkCorrupt();
            col.data.append(distinct.at(std::size_t(r)));
            col.ends[i] = std::uint32_t(col.data.size());
        }
        return;
    }
    NumberTemplate t;
    t.prefix = in.bytes(std::size_t(std::min<std::uint64_t>(in.varint(), kMaxBlockBytes)));
    t.suffix = in.bytes(std::size_t(std::min<std::uint64_t>(in.varint(), kMaxBlockBytes)));
    const std::string_view params = in.bytes(3);
    t.hex = params[0] != 0;
    t.fraction = params[1];
    t.width = params[2];
    const std::uint64_t base = in.varint();
    const int width = std::uint8_t(in.bytes(1)[0]);
    if (t.fraction < 0 || t.fraction > 8 || t.width < 0 || t.width > 64 || width > 64 || (t.hex && t.fraction))
        throw ChunkCorrupt();
    std::vector<std::pair<std::size_t, std::string_view>> exceptions(std::size_t(std::min<std::uint64_t>(in.varint(), std::uint64_t(count))));
    std::size_t at = 0;
    for (auto &[i, v] : exceptions) {
        i = at += std::size_t(std::min<std::uint64_t>(in.varint(), std::uint64_t(count)));
        v = in.bytes(std::size_t(std::min<std::uint64_t>(in.varint(), kMaxBlockBytes)));
    }
    auto exception = exceptions.begin();
    for (std::size_t i = 0; i < std::size_t(count); ++i) {
        if (exception != exceptions.end() && exception->first == i) {
            col.data.append((exception++)->second);
        } else {
            col.data.append(t.prefix);
            col.data.append(formatNumber(base + bits.get(width), t));
            col.data.append(t.suffix);
        }
        if (col.data.size() > kMaxBlockBytes)
            throw ChunkCorrupt();
        col.ends[i] = std::uint32_t(col.data.size());
    }
}

void putWords(std::string &out, const std::vector<std::string_view> &values, BitWriter &bits)
{
    out.push_back(2);
    std::vector<std::vector<std::string_view>> columns;
    std::string_view words[kMaxWords];
    std::string counts;
    for (std::string_view v : values) {
        const std::size_t n = splitWords(v, words);
        counts.push_back(char(n));
        if (columns.size() < n)
            columns.resize(n);
        for (std::size_t j = 0; j < n; ++j)
            columns[j].push_back(words[j]);
    }
    out.append(counts);
    for (const auto &column : columns)
        putWordColumn(out, column, bits);
}

void readWords(ByteReader &in, int count, StringColumn &col, BitReader &bits)
{
    const std::string_view counts = in.bytes(std::size_t(count));
    std::vector<int> perColumn;
    for (char c : counts) {
        const auto n = std::size_t(std::uint8_t(c));
        if (n > kMaxWords)
            throw ChunkCorrupt();
        if (perColumn.size() < n)
            perColumn.resize(n);
        for (std::size_t j = 0; j < n; ++j)
            ++perColumn[j];
    }
    std::vector<StringColumn> columns(perColumn.size());
    std::size_t total = 0;
    for (std::size_t j = 0; j < columns.size(); ++j) {
        readColumn(in, perColumn[j], columns[j], &bits);
        total += columns[j].data.size();
    }
    col.data.reserve(total);
    col.ends.resize(std::size_t(count));
    std::vector<std::size_t> next(columns.size(), 0);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        for (std::size_t j = 0; j < std::size_t(std::uint8_t(counts[i])); ++j)
            col.data.append(columns[j].at(next[j]++));
        if (col.data.size() > kMaxBlockBytes)
            throw ChunkCorrupt();
        col.ends[i] = std::uint32_t(col.data.size());
    }
}

std::uint64_t gcd(std::uint64_t a, std::uint64_t b)
{
    while (b) {
        a %= b;
        std::swap(a, b);
    }
    return a;
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

double readLatency(ByteReader &in)
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

bool wholeMicroseconds(double v, std::int64_t &us)
{
    if (!(std::fabs(v) < 1e12))
        return false;
    us = std::int64_t(std::llround(v * 1000));
    return double(us) / 1000 == v;
}

// Latencies (format 2): when every one is a whole number of microseconds, their greatest common divisor
// (senders round to milliseconds or tens of microseconds), the smallest multiple of it and the bit width,
// each then bit-packed as its multiple above the smallest plus one, 0 for none; otherwise divisor 0 and
// each as format 1 wrote it.
void putLatencies(std::string &out, const std::vector<double> &values, BitWriter &bits)
{
    std::uint64_t divisor = 0;
    bool whole = true;
    for (double v : values) {
        std::int64_t us = 0;
        if (std::isnan(v))
            continue;
        if (!wholeMicroseconds(v, us)) {
            whole = false;
            break;
        }
        divisor = gcd(divisor, us < 0 ? 0 - std::uint64_t(us) : std::uint64_t(us));
    }
    if (!whole) {
        putVarint(out, 0);
        for (double v : values)
            putLatency(out, v);
        return;
    }
    divisor = std::max<std::uint64_t>(divisor, 1);
    std::vector<std::int64_t> multiples;
    for (double v : values) {
        std::int64_t us = 0;
        if (!std::isnan(v) && wholeMicroseconds(v, us))
            multiples.push_back(us / std::int64_t(divisor));
    }
    const std::int64_t low = multiples.empty() ? 0 : *std::min_element(multiples.begin(), multiples.end());
    const std::int64_t high = multiples.empty() ? 0 : *std::max_element(multiples.begin(), multiples.end());
    const int width = bitWidth(std::uint64_t(high) - std::uint64_t(low) + 1);
    putVarint(out, divisor);
    putVarint(out, zigzag(low));
    out.push_back(char(width));
    for (double v : values) {
        std::int64_t us = 0;
        bits.put(std::isnan(v) || !wholeMicroseconds(v, us) ? 0 : std::uint64_t(us / std::int64_t(divisor)) - std::uint64_t(low) + 1,
                 width);
    }
}

void readLatencies(ByteReader &in, std::vector<double> &values, BitReader &bits)
{
    const std::uint64_t divisor = in.varint();
    if (!divisor) {
        for (double &v : values)
            v = readLatency(in);
        return;
    }
    const auto low = std::uint64_t(unzigzag(in.varint()));
    const int width = std::uint8_t(in.bytes(1)[0]);
    if (width > 64)
        throw ChunkCorrupt();
    for (double &v : values) {
        const std::uint64_t tag = bits.get(width);
        // Unsigned arithmetic: a damaged block gives wrong values, never undefined behaviour.
        v = tag ? double(std::int64_t((low + tag - 1) * divisor)) / 1000 : NAN;
    }
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

    // Keys (format 2): a 0 (format 1 began with a row id's varint, never 0), the greatest common divisor
    // of the event time steps (clocks tick in micro- or milliseconds), the first event time, then a stream
    // per key: row id steps, time steps over the divisor, receive time minus event time, levels.
    std::string keys(1, '\0'), fields(1, '\2'), messages, attributes;
    std::uint64_t tsDivisor = 0;
    for (std::size_t i = 1; i < rows.size(); ++i)
        tsDivisor = gcd(tsDivisor, std::uint64_t(rows[i].second->ts) - std::uint64_t(rows[i - 1].second->ts));
    tsDivisor = std::max<std::uint64_t>(tsDivisor, 1);
    putVarint(keys, tsDivisor);
    putVarint(keys, zigzag(c.minTs));
    std::int64_t prevId = 0;
    for (const auto &[id, r] : rows) {
        putVarint(keys, zigzag(id - prevId));
        prevId = id;
    }
    for (std::size_t i = 1; i < rows.size(); ++i)
        putVarint(keys, (std::uint64_t(rows[i].second->ts) - std::uint64_t(rows[i - 1].second->ts)) / tsDivisor);
    for (const auto &[id, r] : rows) {
        putVarint(keys, zigzag(r->received - r->ts));
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
    // Fields (format 2): a 2 (format 1 began with a column mode, 0 or 1), the trace ids first (a trace
    // lookup rules a chunk out reading them alone), then as format 1 but latencies, and columns may be
    // bit-packed (as word columns are), the packed bits after the zstd frame.
    BitWriter fieldBits;
    const auto traces = column(&LogRecord::traceId);
    putWordColumn(fields, traces, fieldBits);
    putWordColumn(fields, column(&LogRecord::levelRaw), fieldBits);
    std::vector<double> latencies;
    latencies.reserve(rows.size());
    for (const auto &row : rows)
        latencies.push_back(row.second->latencyMs);
    putLatencies(fields, latencies, fieldBits);
    for (const auto &row : rows)
        putVarint(fields, zigzag(row.second->statusCode));
    putWordColumn(fields, column(&LogRecord::endpoint), fieldBits);
    putWordColumn(fields, column(&LogRecord::method), fieldBits);
    putWordColumn(fields, column(&LogRecord::spanId), fieldBits);
    putWordColumn(fields, column(&LogRecord::signalId), fieldBits);
    const auto tags = column(&LogRecord::tags);
    putWordColumn(fields, tags, fieldBits);
    const auto texts = column(&LogRecord::message);
    BitWriter messageBits, attributeBits;
    putWords(messages, texts, messageBits);
    putWords(attributes, column(&LogRecord::attributes), attributeBits);

    // Trigrams of the lowercased messages, a couple of bits each; sized by the events, not the distinct
    // trigrams (counting those costs more than the filter saves), about two bytes per event.
    // Lines of one template share most trigrams: a small direct-mapped memory of the trigrams already set
    // skips hashing them again (a trigram is 24 bits, so the all-ones entry matches none).
    c.textBloom.assign(bloomBits(rows.size(), 16, 4096, 1u << 17) / 8, '\0');
    std::vector<std::uint32_t> seen(4096, ~0u);
    for (std::string_view t : texts) {
        std::uint32_t tri = 0;
        for (std::size_t i = 0; i < t.size(); ++i) {
            tri = ((tri << 8) | std::uint8_t(asciiLower(t[i]))) & 0xffffff;
            if (i < 2)
                continue;
            std::uint32_t &slot = seen[(tri * 0x9e3779b1u) >> 20];
            if (slot != tri) {
                slot = tri;
                setBits(c.textBloom, trigramHash(tri), kTextProbes);
            }
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
    c.keys = compressBlock(keys);
    c.fields = compressBlock(fields) + fieldBits.finish();
    c.messages = compressBlock(messages) + messageBits.finish();
    c.attributes = compressBlock(attributes) + attributeBits.finish();
    return c;
}

LogChunkKeys decodeLogChunkKeys(std::string_view block, int count)
{
    const std::string raw = decompressBlock(block);
    LogChunkKeys k;
    k.ids.resize(std::size_t(count));
    k.ts.resize(std::size_t(count));
    k.received.resize(std::size_t(count));
    if (!raw.empty() && raw[0] == 0) {
        ByteReader in(std::string_view(raw).substr(1));
        const std::uint64_t divisor = in.varint();
        // Unsigned arithmetic: a damaged block gives wrong times, never undefined behaviour.
        std::uint64_t ts = std::uint64_t(unzigzag(in.varint()));
        std::uint64_t id = 0;
        for (std::int64_t &v : k.ids)
            v = std::int64_t(id += std::uint64_t(unzigzag(in.varint())));
        for (std::size_t i = 0; i < k.ts.size(); ++i)
            k.ts[i] = TimeNs(ts += i ? in.varint() * divisor : 0);
        for (std::size_t i = 0; i < k.received.size(); ++i)
            k.received[i] = TimeNs(std::uint64_t(k.ts[i]) + std::uint64_t(unzigzag(in.varint())));
        const std::string_view levels = in.bytes(std::size_t(count));
        k.levels.assign(levels.begin(), levels.end());
        return k;
    }
    ByteReader in(raw);
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
    std::string_view packed;
    const std::string raw = decompressBlock(block, &packed);
    const bool format2 = !raw.empty() && raw[0] == 2;
    if (!format2 && !packed.empty())
        throw ChunkCorrupt();
    ByteReader in(std::string_view(raw).substr(format2 ? 1 : 0));
    BitReader bitReader(packed);
    BitReader *bits = format2 ? &bitReader : nullptr;
    LogChunkFields f;
    if (format2)
        readColumn(in, count, f.traceId, bits);
    readColumn(in, count, f.levelRaw, bits);
    f.latency.resize(std::size_t(count));
    if (format2)
        readLatencies(in, f.latency, bitReader);
    else
        for (double &v : f.latency)
            v = readLatency(in);
    f.status.resize(std::size_t(count));
    for (int &s : f.status)
        s = int(unzigzag(in.varint()));
    readColumn(in, count, f.endpoint, bits);
    readColumn(in, count, f.method, bits);
    if (!format2)
        readColumn(in, count, f.traceId, bits);
    readColumn(in, count, f.spanId, bits);
    readColumn(in, count, f.signalId, bits);
    readColumn(in, count, f.tags, bits);
    return f;
}

StringColumn decodeLogChunkTraceIds(std::string_view block, int count)
{
    std::string_view packed;
    const std::string raw = decompressBlock(block, &packed);
    if (raw.empty() || raw[0] != 2)
        return decodeLogChunkFields(block, count).traceId;
    ByteReader in(std::string_view(raw).substr(1));
    BitReader bits(packed);
    StringColumn traces;
    readColumn(in, count, traces, &bits);
    return traces;
}

StringColumn decodeLogChunkStrings(std::string_view block, int count)
{
    std::string_view packed;
    const std::string raw = decompressBlock(block, &packed);
    ByteReader in(raw);
    BitReader bits(packed);
    StringColumn col;
    readColumn(in, count, col, &bits, true);
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

std::uint64_t traceToken(std::string_view traceId) { return fnv(traceId, 'r'); }

std::optional<std::uint64_t> tagToken(std::string_view tag)
{
    if (tag.empty() || tag.find(',') != std::string_view::npos)
        return std::nullopt;
    return fnv(tag, 't');
}

bool keyBloomMayContain(std::string_view bloom, std::uint64_t token) { return testBits(bloom, token, kKeyProbes); }

std::array<std::uint32_t, kKeyFilterProbes> keyFilterPositions(std::uint64_t token, std::uint32_t bits)
{
    std::array<std::uint32_t, kKeyFilterProbes> out{};
    const auto h1 = std::uint32_t(token), h2 = std::uint32_t(token >> 32) | 1;
    for (std::uint32_t i = 0; i < out.size(); ++i)
        out[i] = (h1 + i * h2) & (bits - 1);
    return out;
}

KeyFilterGroup groupKeyFilters(const std::vector<std::int64_t> &chunkIds, const std::vector<std::string_view> &blooms)
{
    KeyFilterGroup g;
    std::int64_t previous = 0;
    for (std::int64_t id : chunkIds) {
        putVarint(g.chunks, std::uint64_t(id - previous));
        previous = id;
    }
    std::vector<std::size_t> sizes;
    for (std::string_view b : blooms)
        if (!b.empty() && !(b.size() & (b.size() - 1)))
            sizes.push_back(b.size() * 8);
    std::nth_element(sizes.begin(), sizes.begin() + long(sizes.size() / 2), sizes.end());
    g.bits = std::uint32_t(std::clamp<std::size_t>(sizes.empty() ? 64 : sizes[sizes.size() / 2], 64, 1u << 20));
    g.sliceBytes = std::uint32_t((blooms.size() + 7) / 8);
    g.slices.assign(std::size_t(g.bits) * g.sliceBytes, '\0');
    auto set = [&](std::size_t position, std::size_t chunk) {
        char &byte = g.slices[position * g.sliceBytes + chunk / 8];
        byte = char(std::uint8_t(byte) | (1u << (chunk & 7)));
    };
    auto bit = [](std::string_view b, std::size_t i) { return (std::uint8_t(b[i >> 3]) >> (i & 7)) & 1; };
    for (std::size_t j = 0; j < blooms.size(); ++j) {
        const std::string_view b = blooms[j];
        const std::size_t size = b.size() * 8;
        if (b.empty())
            continue; // no token: never a candidate
        if (b.size() & (b.size() - 1)) { // not a filter this code wrote: may hold anything
            for (std::size_t p = 0; p < g.bits; ++p)
                set(p, j);
        } else if (size <= g.bits) { // bit p of the group is bit p mod size of the chunk's
            for (std::size_t p = 0; p < g.bits; ++p)
                if (bit(b, p & (size - 1)))
                    set(p, j);
        } else { // folded: a larger filter's bits ORed onto the group's size
            for (std::size_t q = 0; q < size; ++q)
                if (bit(b, q))
                    set(q & (g.bits - 1), j);
        }
    }
    return g;
}

std::vector<std::int64_t> decodeKeyGroupChunks(std::string_view chunks)
{
    std::vector<std::int64_t> ids;
    ByteReader in(chunks);
    std::uint64_t id = 0;
    while (!in.atEnd())
        ids.push_back(std::int64_t(id += in.varint()));
    return ids;
}

std::string keyFilterOfGroupChunk(std::string_view slices, std::uint32_t bits, std::uint32_t sliceBytes, std::size_t chunk)
{
    if (bits < 8 || (bits & (bits - 1)) || chunk / 8 >= sliceBytes || slices.size() < std::size_t(bits) * sliceBytes)
        throw ChunkCorrupt();
    std::string filter(bits / 8, '\0');
    bool any = false;
    for (std::size_t p = 0; p < bits; ++p)
        if ((std::uint8_t(slices[p * sliceBytes + chunk / 8]) >> (chunk & 7)) & 1) {
            filter[p >> 3] = char(std::uint8_t(filter[p >> 3]) | (1u << (p & 7)));
            any = true;
        }
    return any ? filter : std::string();
}

} // namespace fg
