#include "timestamp.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace fg {

namespace {

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = unsigned(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + std::int64_t(doe) - 719468;
}

void civilFromDays(std::int64_t z, int &y, unsigned &m, unsigned &d)
{
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = unsigned(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t yy = std::int64_t(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp + (mp < 10 ? 3 : -9);
    y = int(yy + (m <= 2));
}

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned daysInMonth(int y, unsigned m)
{
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && isLeap(y) ? 29 : kDays[m - 1];
}

class Cursor {
public:
    explicit Cursor(std::string_view s) : m_s(s) {}
    bool done() const { return m_pos >= m_s.size(); }
    char peek() const { return done() ? '\0' : m_s[m_pos]; }
    bool eat(char c)
    {
        if (peek() != c)
            return false;
        ++m_pos;
        return true;
    }
    // Exactly n digits.
    bool digits(int n, int &out)
    {
        out = 0;
        for (int i = 0; i < n; ++i) {
            const char c = peek();
            if (c < '0' || c > '9')
                return false;
            out = out * 10 + (c - '0');
            ++m_pos;
        }
        return true;
    }

private:
    std::string_view m_s;
    std::size_t m_pos = 0;
};

bool inRange(TimeNs t) { return t >= 0 && t < kMaxTimeNs; }

} // namespace

std::optional<TimeNs> parseIsoTime(std::string_view text)
{
    Cursor c(text);
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!c.digits(4, year) || !c.eat('-') || !c.digits(2, month) || !c.eat('-') || !c.digits(2, day))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || unsigned(day) > daysInMonth(year, unsigned(month)))
        return std::nullopt;
    TimeNs fracNs = 0;
    std::int64_t offsetSec = 0;
    if (!c.done()) {
        if (!c.eat('T') && !c.eat('t') && !c.eat(' '))
            return std::nullopt;
        if (!c.digits(2, hour) || !c.eat(':') || !c.digits(2, minute))
            return std::nullopt;
        if (c.eat(':')) {
            if (!c.digits(2, second))
                return std::nullopt;
            if (c.eat('.') || c.eat(',')) {
                TimeNs scale = 100'000'000;
                int n = 0;
                while (c.peek() >= '0' && c.peek() <= '9') {
                    fracNs += (c.peek() - '0') * scale;
                    scale /= 10;
                    c.eat(c.peek());
                    ++n;
                }
                if (n == 0)
                    return std::nullopt;
            }
        }
        // 23:59:60 (leap second) is folded into the next second, as most systems do.
        if (hour > 23 || minute > 59 || second > 60)
            return std::nullopt;
        if (c.eat('Z') || c.eat('z')) {
        } else if (c.peek() == '+' || c.peek() == '-') {
            const int sign = c.peek() == '-' ? -1 : 1;
            c.eat(c.peek());
            int oh = 0, om = 0;
            if (!c.digits(2, oh))
                return std::nullopt;
            if (c.eat(':')) {
                if (!c.digits(2, om))
                    return std::nullopt;
            } else if (!c.done() && !c.digits(2, om)) {
                return std::nullopt;
            }
            if (oh > 23 || om > 59)
                return std::nullopt;
            offsetSec = sign * (oh * 3600 + om * 60);
        }
        if (!c.done())
            return std::nullopt;
    }
    const std::int64_t days = daysFromCivil(year, unsigned(month), unsigned(day));
    const std::int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offsetSec;
    // Nanoseconds since 1970 end in 2262: later times are refused, not wrapped around.
    if (secs < 0 || secs >= kMaxTimeNs / kNsPerSec)
        return std::nullopt;
    const TimeNs t = secs * kNsPerSec + fracNs;
    if (!inRange(t))
        return std::nullopt;
    return t;
}

std::optional<TimeNs> epochToNs(double v)
{
    if (!std::isfinite(v) || v < 0)
        return std::nullopt;
    double ns;
    if (v < 1e11)
        ns = v * 1e9;
    else if (v < 1e14)
        ns = v * 1e6;
    else if (v < 1e17)
        ns = v * 1e3;
    else
        ns = v;
    if (ns >= double(kMaxTimeNs))
        return std::nullopt;
    return TimeNs(std::llround(ns));
}

std::optional<TimeNs> epochToNs(std::int64_t v)
{
    if (v < 0)
        return std::nullopt;
    const std::int64_t scale = v < 100'000'000'000LL           ? kNsPerSec
                               : v < 100'000'000'000'000LL     ? 1'000'000
                               : v < 100'000'000'000'000'000LL ? 1'000
                                                               : 1;
    if (v >= kMaxTimeNs / scale) // before multiplying: no wrap-around
        return std::nullopt;
    const TimeNs ns = v * scale;
    if (!inRange(ns))
        return std::nullopt;
    return ns;
}

std::optional<TimeNs> parseTimeText(std::string_view text)
{
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    if (text.empty())
        return std::nullopt;
    const bool numeric = text.find_first_not_of("0123456789.") == std::string_view::npos;
    if (!numeric)
        return parseIsoTime(text);
    if (text.find('.') == std::string_view::npos) {
        std::int64_t iv = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), iv);
        if (ec != std::errc() || ptr != text.data() + text.size())
            return std::nullopt;
        return epochToNs(iv);
    }
    double dv = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), dv);
    if (ec != std::errc() || ptr != text.data() + text.size())
        return std::nullopt;
    return epochToNs(dv);
}

std::string formatIsoMs(TimeNs t)
{
    std::int64_t ms = t >= 0 ? t / kNsPerMs : -((-t + kNsPerMs - 1) / kNsPerMs);
    std::int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    const int msPart = int(ms - secs * 1000);
    std::int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    const int sod = int(secs - days * 86400);
    int y;
    unsigned m, d;
    civilFromDays(days, y, m, d);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, sod / 3600, (sod / 60) % 60,
                  sod % 60, msPart);
    return buf;
}

TimeNs nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace fg
