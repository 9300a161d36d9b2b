#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "model/timestamp.h"

namespace fg {

// Conversions shared by the JSON decoders. Each returns nullopt when the value has the wrong type
// or range; the caller names the field in the item error.
std::optional<TimeNs> jsonTime(simdjson::dom::element v);
// A number, or a string holding one ("850", "1.5").
std::optional<double> jsonNumber(simdjson::dom::element v);
std::optional<std::int64_t> jsonInteger(simdjson::dom::element v);
// Strings as they are; numbers and booleans as their JSON text (ids are often sent as numbers).
std::optional<std::string> jsonScalarText(simdjson::dom::element v);

// A name shown in lists, alerts and notifications: no control characters and no bidirectional overrides
// (which would make a name display as another).
bool isDisplayableName(std::string_view name);

// Typed access after a type() check; the get(out) form avoids dangling temporaries in simdjson 3.0.
inline std::string_view jsonString(simdjson::dom::element v)
{
    std::string_view s;
    return v.get(s) == simdjson::SUCCESS ? s : decltype(s){};
}
inline std::int64_t jsonInt64(simdjson::dom::element v)
{
    std::int64_t i = 0;
    return v.get(i) == simdjson::SUCCESS ? i : decltype(i){};
}
inline std::uint64_t jsonUint64(simdjson::dom::element v)
{
    std::uint64_t u = 0;
    return v.get(u) == simdjson::SUCCESS ? u : decltype(u){};
}
inline double jsonDouble(simdjson::dom::element v)
{
    double d = 0;
    return v.get(d) == simdjson::SUCCESS ? d : decltype(d){};
}
inline simdjson::dom::object jsonObject(simdjson::dom::element v)
{
    simdjson::dom::object o;
    return v.get(o) == simdjson::SUCCESS ? o : decltype(o){};
}
inline simdjson::dom::array jsonArray(simdjson::dom::element v)
{
    simdjson::dom::array a;
    return v.get(a) == simdjson::SUCCESS ? a : decltype(a){};
}

} // namespace fg
