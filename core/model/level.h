#pragma once

#include <cstdint>
#include <string_view>

namespace fg {

// Canonical severities, ordered so that "level >= Warn" filters work on the stored integer.
// Unknown sorts below everything: a level filter never matches it.
enum class Level : std::uint8_t { Unknown = 0, Trace = 1, Debug = 2, Info = 3, Warn = 4, Error = 5, Fatal = 6 };

struct ParsedLevel {
    Level level = Level::Unknown;
    bool exact = false; // true when the text was a canonical name or a known alias
};

// Maps any-case names and aliases (warning, err, crit, emerg, notice, severe, …) to a Level;
// unrecognised text maps to the nearest level by prefix or to Unknown, never an error.
ParsedLevel parseLevel(std::string_view text);
// OpenTelemetry SeverityNumber 1–24.
Level levelFromOtelSeverity(std::int64_t severityNumber);
std::string_view levelName(Level level);

} // namespace fg
