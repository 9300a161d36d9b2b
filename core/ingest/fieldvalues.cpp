#include "fieldvalues.h"

#include <charconv>
#include <cmath>

namespace fg {

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
