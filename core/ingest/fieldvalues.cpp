#include "fieldvalues.h"

#include <charconv>
#include <cmath>

namespace fg {

bool isDisplayableName(std::string_view name)
{
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (c < 0x20 || c == 0x7f)
            return false;
        // U+202A–U+202E and U+2066–U+2069 in UTF-8: E2 80 AA–AE, E2 81 A6–A9.
        if (c == 0xe2 && i + 2 < name.size()) {
            const auto b = static_cast<unsigned char>(name[i + 1]), d = static_cast<unsigned char>(name[i + 2]);
            if ((b == 0x80 && d >= 0xaa && d <= 0xae) || (b == 0x81 && d >= 0xa6 && d <= 0xa9))
                return false;
        }
    }
    return true;
}

using simdjson::dom::element_type;

std::optional<TimeNs> jsonTime(simdjson::dom::element v)
{
    switch (v.type()) {
    case element_type::INT64: return epochToNs(jsonInt64(v));
    case element_type::UINT64: {
        const std::uint64_t u = jsonUint64(v);
        if (u > std::uint64_t(INT64_MAX))
            return std::nullopt;
        return epochToNs(std::int64_t(u));
    }
    case element_type::DOUBLE: return epochToNs(jsonDouble(v));
    case element_type::STRING: return parseTimeText(jsonString(v));
    default: return std::nullopt;
    }
}

std::optional<double> jsonNumber(simdjson::dom::element v)
{
    switch (v.type()) {
    case element_type::INT64: return double(jsonInt64(v));
    case element_type::UINT64: return double(jsonUint64(v));
    case element_type::DOUBLE: return jsonDouble(v);
    case element_type::STRING: {
        std::string_view s = jsonString(v);
        while (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ')
            s.remove_suffix(1);
        double d = 0;
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
        if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(d))
            return std::nullopt;
        return d;
    }
    default: return std::nullopt;
    }
}

std::optional<std::int64_t> jsonInteger(simdjson::dom::element v)
{
    const auto d = jsonNumber(v);
    if (!d || std::floor(*d) != *d || std::fabs(*d) > 9e15)
        return std::nullopt;
    return std::int64_t(*d);
}

std::optional<std::string> jsonScalarText(simdjson::dom::element v)
{
    switch (v.type()) {
    case element_type::STRING: return std::string(jsonString(v));
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
    case element_type::BOOL: return simdjson::minify(v);
    default: return std::nullopt;
    }
}

} // namespace fg
