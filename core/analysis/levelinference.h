#pragma once

#include <string_view>

#include "model/level.h"

namespace fg {

// The level a line without one most likely has: FATAL for panics, ERROR for exceptions, failures,
// timeouts and HTTP 5xx, WARN for warnings, retries and 4xx, INFO otherwise. Whole words only,
// any case, one pass.
Level inferLevel(std::string_view message, int statusCode);

} // namespace fg
