#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace fg {

// "90s", "15m", "1h", "7d", "2w" → seconds; a bare number is seconds. "0", "off", "never" → 0.
std::optional<std::int64_t> parseDurationSeconds(std::string_view text);
// "16MiB", "10GB", "512k", "1.5G" or a bare byte count → bytes (K/M/G/T are powers of 1024).
std::optional<std::int64_t> parseByteSize(std::string_view text);

} // namespace fg
