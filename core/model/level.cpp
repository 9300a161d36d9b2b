#include "level.h"

#include <array>
#include <string>

namespace fg {

namespace {

struct Alias {
    std::string_view name;
    Level level;
};

constexpr std::array kAliases{
    Alias{"trace", Level::Trace},     Alias{"finest", Level::Trace},   Alias{"finer", Level::Trace},
    Alias{"verbose", Level::Trace},   Alias{"debug", Level::Debug},    Alias{"dbg", Level::Debug},
    Alias{"fine", Level::Debug},      Alias{"config", Level::Debug},   Alias{"info", Level::Info},
    Alias{"information", Level::Info}, Alias{"informational", Level::Info}, Alias{"notice", Level::Info},
    Alias{"inf", Level::Info},        Alias{"warn", Level::Warn},      Alias{"warning", Level::Warn},
    Alias{"wrn", Level::Warn},        Alias{"error", Level::Error},    Alias{"err", Level::Error},
    Alias{"eror", Level::Error},      Alias{"severe", Level::Error},   Alias{"fatal", Level::Fatal},
    Alias{"crit", Level::Fatal},      Alias{"critical", Level::Fatal}, Alias{"alert", Level::Fatal},
    Alias{"emerg", Level::Fatal},     Alias{"emergency", Level::Fatal}, Alias{"panic", Level::Fatal},
    Alias{"ftl", Level::Fatal},       Alias{"dpanic", Level::Fatal},
};

// Prefixes for the "nearest known level" of unrecognised text such as "WARNING2" or "Errors".
constexpr std::array kPrefixes{
    Alias{"trac", Level::Trace}, Alias{"debu", Level::Debug}, Alias{"info", Level::Info},
    Alias{"warn", Level::Warn},  Alias{"err", Level::Error},  Alias{"fatal", Level::Fatal},
    Alias{"crit", Level::Fatal}, Alias{"emerg", Level::Fatal}, Alias{"panic", Level::Fatal},
};

} // namespace

ParsedLevel parseLevel(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    if (text.empty() || text.size() > 32)
        return {};
    std::string lower(text);
    for (char &c : lower)
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    for (const Alias &a : kAliases)
        if (lower == a.name)
            return {a.level, true};
    for (const Alias &a : kPrefixes)
        if (lower.starts_with(a.name))
            return {a.level, false};
    return {};
}

Level levelFromOtelSeverity(std::int64_t n)
{
    if (n >= 1 && n <= 4)
        return Level::Trace;
    if (n >= 5 && n <= 8)
        return Level::Debug;
    if (n >= 9 && n <= 12)
        return Level::Info;
    if (n >= 13 && n <= 16)
        return Level::Warn;
    if (n >= 17 && n <= 20)
        return Level::Error;
    if (n >= 21 && n <= 24)
        return Level::Fatal;
    return Level::Unknown;
}

std::string_view levelName(Level level)
{
    switch (level) {
    case Level::Trace: return "TRACE";
    case Level::Debug: return "DEBUG";
    case Level::Info: return "INFO";
    case Level::Warn: return "WARN";
    case Level::Error: return "ERROR";
    case Level::Fatal: return "FATAL";
    case Level::Unknown: break;
    }
    return "UNKNOWN";
}

} // namespace fg
