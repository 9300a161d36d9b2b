#include "messagefields.h"

#include <array>
#include <charconv>

namespace fg {

namespace {

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isKeyChar(char c) { return isAlpha(c) || c == '_' || c == '.' || c == '-'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool equalsLower(std::string_view a, std::string_view lowerB)
{
    if (a.size() != lowerB.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lowerB[i])
            return false;
    return true;
}

// Keys whose value is a latency. Unitless values are milliseconds, except "duration" style keys
// written by Go and others with a unit anyway.
constexpr std::array kLatencyKeys{
    std::string_view("latency"),      std::string_view("latency_ms"),   std::string_view("duration"),
    std::string_view("duration_ms"),  std::string_view("elapsed"),      std::string_view("elapsed_ms"),
    std::string_view("response_time"), std::string_view("responsetime"), std::string_view("request_time"),
    std::string_view("rt"),           std::string_view("took"),         std::string_view("time_ms"),
};
// Words after which a bare duration follows: "took 35 ms", "completed in 23ms", "after 3000 ms".
constexpr std::array kLatencyWords{std::string_view("took"), std::string_view("in"), std::string_view("after")};
constexpr std::array kStatusKeys{std::string_view("status"), std::string_view("status_code"),
                                 std::string_view("statuscode"), std::string_view("http_status"),
                                 std::string_view("http.status_code"), std::string_view("code")};
constexpr std::array kMethods{std::string_view("GET"),    std::string_view("POST"),  std::string_view("PUT"),
                              std::string_view("DELETE"), std::string_view("PATCH"), std::string_view("HEAD"),
                              std::string_view("OPTIONS")};

// Methods are upper case in request lines; "get /x" in prose is not one.
bool isMethod(std::string_view word)
{
    for (std::string_view m : kMethods)
        if (word == m)
            return true;
    return false;
}

template <std::size_t N>
bool oneOf(std::string_view word, const std::array<std::string_view, N> &set)
{
    for (std::string_view s : set)
        if (equalsLower(word, s))
            return true;
    return false;
}

// Parses "850", "1.2" and an optional unit right after (ms, s, us, µs, ns, m); pos advances past it.
// Returns false when there is no number. hadUnit tells whether a unit was written.
bool parseDuration(std::string_view s, std::size_t &pos, double &ms, bool &hadUnit)
{
    std::size_t p = pos;
    if (p >= s.size() || !isDigit(s[p]))
        return false;
    std::size_t end = p;
    while (end < s.size() && (isDigit(s[end]) || s[end] == '.'))
        ++end;
    double v = 0;
    auto [ptr, ec] = std::from_chars(s.data() + p, s.data() + end, v);
    if (ec != std::errc())
        return false;
    p = std::size_t(ptr - s.data());
    std::size_t u = p;
    while (u < s.size() && s[u] == ' ' && u - p < 1)
        ++u;
    std::size_t unitEnd = u;
    while (unitEnd < s.size() && (isAlpha(s[unitEnd]) || s[unitEnd] == '\xc2' || s[unitEnd] == '\xb5'))
        ++unitEnd;
    const std::string_view unit = s.substr(u, unitEnd - u);
    hadUnit = true;
    if (equalsLower(unit, "ms") || equalsLower(unit, "msec") || equalsLower(unit, "millis"))
        ms = v;
    else if (equalsLower(unit, "s") || equalsLower(unit, "sec") || equalsLower(unit, "secs") || equalsLower(unit, "seconds"))
        ms = v * 1000;
    else if (equalsLower(unit, "us") || unit == "\xc2\xb5s")
        ms = v / 1000;
    else if (equalsLower(unit, "ns"))
        ms = v / 1e6;
    else if (equalsLower(unit, "m") || equalsLower(unit, "min"))
        ms = v * 60000;
    else {
        hadUnit = false;
        ms = v;
        unitEnd = p;
    }
    pos = unitEnd;
    return true;
}

bool parseStatus(std::string_view s, std::size_t pos, int &status)
{
    if (pos + 3 > s.size() || !isDigit(s[pos]) || !isDigit(s[pos + 1]) || !isDigit(s[pos + 2]))
        return false;
    if (pos + 3 < s.size() && isDigit(s[pos + 3]))
        return false;
    const int v = (s[pos] - '0') * 100 + (s[pos + 1] - '0') * 10 + (s[pos + 2] - '0');
    if (v < 100 || v > 599)
        return false;
    status = v;
    return true;
}

std::size_t skip(std::string_view s, std::size_t p, std::string_view chars)
{
    while (p < s.size() && chars.find(s[p]) != std::string_view::npos)
        ++p;
    return p;
}

} // namespace

MessageFields scanMessage(std::string_view s)
{
    MessageFields f;
    std::size_t i = 0;
    while (i < s.size()) {
        if (!isKeyChar(s[i]) || (i > 0 && isKeyChar(s[i - 1]))) {
            ++i;
            continue;
        }
        std::size_t end = i;
        while (end < s.size() && isKeyChar(s[end]))
            ++end;
        const std::string_view word = s.substr(i, end - i);
        i = end;

        // Request line: METHOD /path [HTTP/x.y]["] [status]
        if (f.method.empty() && isMethod(word) && end + 1 < s.size() && s[end] == ' ' && s[end + 1] == '/') {
            std::size_t p = end + 1;
            std::size_t q = p;
            while (q < s.size() && s[q] != ' ' && s[q] != '"' && s[q] != '?')
                ++q;
            f.method.assign(word);
            f.path.assign(s.substr(p, q - p));
            while (q < s.size() && s[q] != ' ' && s[q] != '"')
                ++q; // query string
            // Access logs: "GET /x HTTP/1.1" 200 …
            std::size_t r = skip(s, q, " ");
            if (s.substr(r, 5) == "HTTP/") {
                while (r < s.size() && s[r] != ' ' && s[r] != '"')
                    ++r;
                r = skip(s, r, "\" ");
                if (!f.statusCode)
                    parseStatus(s, r, f.statusCode);
            }
            i = q;
            continue;
        }

        std::size_t p = skip(s, end, " ");
        const bool separated = p < s.size() && (s[p] == '=' || s[p] == ':');
        if (separated)
            p = skip(s, p + 1, " \"'");
        if (std::isnan(f.latencyMs) && separated && oneOf(word, kLatencyKeys)) {
            double ms = 0;
            bool unit = false;
            if (parseDuration(s, p, ms, unit)) {
                f.latencyMs = ms;
                i = p;
                continue;
            }
        }
        if (std::isnan(f.latencyMs) && !separated && oneOf(word, kLatencyWords)) {
            double ms = 0;
            bool unit = false;
            std::size_t q = p;
            // Only with a unit: "in 3 retries" is no latency.
            if (parseDuration(s, q, ms, unit) && unit) {
                f.latencyMs = ms;
                i = q;
                continue;
            }
        }
        if (!f.statusCode && separated && oneOf(word, kStatusKeys))
            parseStatus(s, p, f.statusCode);
    }
    return f;
}

} // namespace fg
