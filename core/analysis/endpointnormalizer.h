#pragma once

#include <string>
#include <string_view>

namespace fg {

// Turns request paths into route templates so that KPIs group by route, not by resource:
// "/users/123/orders/9f3a2c7e?x=1" → "/users/{id}/orders/{id}". A segment becomes {id} when it is a
// number, a UUID, a hex string with digits, or a long token mixing letters and digits.
std::string normalizeEndpoint(std::string_view path);

} // namespace fg
