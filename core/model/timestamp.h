#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fg {

// Event and receive times are nanoseconds since the Unix epoch (UTC) everywhere in core.
using TimeNs = std::int64_t;

constexpr TimeNs kNsPerMs = 1'000'000;
constexpr TimeNs kNsPerSec = 1'000'000'000;
// Accepted event times: 1970-01-01 .. 2200-01-01 (the storage key packs milliseconds into 43 bits).
constexpr TimeNs kMaxTimeNs = 7'258'118'400LL * kNsPerSec;

// ISO 8601 / RFC 3339: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.frac]]" with 'T' or ' ',
// then "Z", "±HH:MM", "±HHMM", "±HH" or nothing (nothing means UTC).
std::optional<TimeNs> parseIsoTime(std::string_view text);
// Epoch seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude.
std::optional<TimeNs> epochToNs(double value);
std::optional<TimeNs> epochToNs(std::int64_t value);
// A JSON string field: ISO 8601 or a numeric epoch string.
std::optional<TimeNs> parseTimeText(std::string_view text);

// Exactly "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string formatIsoMs(TimeNs t);

TimeNs nowNs();

} // namespace fg
