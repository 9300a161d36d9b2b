#include "units.h"

#include <charconv>
#include <cmath>
#include <string>

namespace fg {

namespace {

std::string lowerTrimmed(std::string_view text)
{
    std::string s;
    for (char c : text)
        if (c != ' ')
            s.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
    return s;
}

// Splits "1.5gb" into 1.5 and "gb".
bool splitNumber(const std::string &s, double &value, std::string &unit)
{
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || !std::isfinite(value) || value < 0)
        return false;
    unit.assign(ptr, s.data() + s.size());
    return true;
}

} // namespace

std::optional<std::int64_t> parseDurationSeconds(std::string_view text)
{
    const std::string s = lowerTrimmed(text);
    if (s == "off" || s == "never" || s == "none")
        return 0;
    double v = 0;
    std::string unit;
    if (!splitNumber(s, v, unit))
        return std::nullopt;
    double mult;
    if (unit.empty() || unit == "s" || unit == "sec")
        mult = 1;
    else if (unit == "m" || unit == "min")
        mult = 60;
    else if (unit == "h")
        mult = 3600;
    else if (unit == "d")
        mult = 86400;
    else if (unit == "w")
        mult = 7 * 86400;
    else
        return std::nullopt;
    const double secs = v * mult;
    if (secs > 1e12)
        return std::nullopt;
    return std::int64_t(std::llround(secs));
}

std::optional<std::int64_t> parseByteSize(std::string_view text)
{
    const std::string s = lowerTrimmed(text);
    double v = 0;
    std::string unit;
    if (!splitNumber(s, v, unit))
        return std::nullopt;
    if (unit.ends_with("ib"))
        unit.erase(unit.size() - 2);
    else if (unit.size() > 1 && unit.back() == 'b')
        unit.pop_back();
    double mult;
    if (unit.empty() || unit == "b")
        mult = 1;
    else if (unit == "k")
        mult = 1024.0;
    else if (unit == "m")
        mult = 1024.0 * 1024;
    else if (unit == "g")
        mult = 1024.0 * 1024 * 1024;
    else if (unit == "t")
        mult = 1024.0 * 1024 * 1024 * 1024;
    else
        return std::nullopt;
    const double bytes = v * mult;
    if (bytes > 9e18)
        return std::nullopt;
    return std::int64_t(std::llround(bytes));
}

} // namespace fg
