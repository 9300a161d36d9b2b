#include "endpointnormalizer.h"

namespace fg {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool isUuid(std::string_view s)
{
    if (s.size() != 36)
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isHex(s[i]))
            return false;
    }
    return true;
}

bool isIdentifier(std::string_view seg)
{
    bool digits = true, hex = true, anyDigit = false, anyAlpha = false;
    for (char c : seg) {
        const bool d = isDigit(c);
        anyDigit |= d;
        anyAlpha |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        digits &= d;
        hex &= isHex(c);
    }
    if (digits)
        return true;
    if (isUuid(seg))
        return true;
    if (hex && anyDigit && seg.size() >= 6)
        return true;
    return anyDigit && anyAlpha && seg.size() >= 20;
}

} // namespace

std::string normalizeEndpoint(std::string_view path)
{
    const std::size_t cut = path.find_first_of("?#");
    if (cut != std::string_view::npos)
        path = path.substr(0, cut);
    std::string out;
    out.reserve(path.size());
    std::size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/')
            ++i;
        if (i >= path.size())
            break;
        std::size_t end = path.find('/', i);
        if (end == std::string_view::npos)
            end = path.size();
        const std::string_view seg = path.substr(i, end - i);
        out += '/';
        if (isIdentifier(seg))
            out += "{id}";
        else
            out.append(seg);
        i = end;
    }
    if (out.empty())
        out.assign(1, '/');
    return out;
}

} // namespace fg
