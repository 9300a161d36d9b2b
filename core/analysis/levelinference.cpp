#include "levelinference.h"

#include <array>

namespace fg {

namespace {

struct Word {
    std::string_view text;
    Level level;
};

constexpr std::array kWords{
    Word{"fatal", Level::Fatal},       Word{"panic", Level::Fatal},       Word{"emergency", Level::Fatal},
    Word{"segfault", Level::Fatal},    Word{"error", Level::Error},       Word{"errors", Level::Error},
    Word{"err", Level::Error},         Word{"exception", Level::Error},   Word{"traceback", Level::Error},
    Word{"failed", Level::Error},      Word{"failure", Level::Error},     Word{"fail", Level::Error},
    Word{"timeout", Level::Error},     Word{"timed", Level::Error},       Word{"refused", Level::Error},
    Word{"unreachable", Level::Error}, Word{"oom", Level::Error},         Word{"outofmemoryerror", Level::Error},
    Word{"critical", Level::Error},    Word{"crash", Level::Error},       Word{"crashed", Level::Error},
    Word{"denied", Level::Error},      Word{"warn", Level::Warn},         Word{"warning", Level::Warn},
    Word{"deprecated", Level::Warn},   Word{"retry", Level::Warn},        Word{"retrying", Level::Warn},
    Word{"slow", Level::Warn},         Word{"degraded", Level::Warn},
};

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
bool isWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

} // namespace

Level inferLevel(std::string_view s, int statusCode)
{
    Level best = statusCode >= 500 ? Level::Error : statusCode >= 400 ? Level::Warn : Level::Info;
    char word[24];
    std::size_t i = 0;
    while (i < s.size() && best != Level::Fatal) {
        if (!isWordChar(s[i])) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        bool fits = true;
        while (i < s.size() && isWordChar(s[i])) {
            if (n < sizeof word)
                word[n++] = lower(s[i]);
            else
                fits = false;
            ++i;
        }
        if (!fits)
            continue;
        const std::string_view w(word, n);
        // "Exception" also ends class names: NullPointerException, IOException.
        const bool exceptionName = n > 9 && w.substr(n - 9) == "exception";
        for (const Word &k : kWords) {
            if ((w == k.text || (exceptionName && k.text == "exception")) && k.level > best) {
                best = k.level;
                break;
            }
        }
    }
    return best;
}

} // namespace fg
