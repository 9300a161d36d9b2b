#include "jsonitems.h"

#include <cstdio>

namespace fg {

namespace {

bool isBlank(std::string_view s)
{
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    return true;
}

std::string describe(simdjson::error_code e, std::string_view where)
{
    std::string m = "malformed JSON";
    if (!where.empty()) {
        m += " ";
        m += where;
    }
    m += ": ";
    m += simdjson::error_message(e);
    return m;
}

} // namespace

bool JsonItems::forEach(std::string_view body, BodyFormat format, const ItemFn &onItem, ItemErrors &errors,
                        std::string *malformed, int *itemCount, bool *tooMany)
{
    *itemCount = 0;
    *tooMany = false;
    const ParserRelease release{m_parser}; // after the callbacks: they copy what they keep out of the parser's buffers
    if (format == BodyFormat::Ndjson)
        return forEachLine(body, onItem, errors, malformed, itemCount, tooMany);

    simdjson::dom::element root;
    const auto err = m_parser.parse(body.data(), body.size(), false).get(root);
    if (err) {
        if (format == BodyFormat::Auto) {
            // Several documents, one per line, sent without the NDJSON content type.
            const auto nl = body.find('\n');
            if (nl != std::string_view::npos && !isBlank(body.substr(nl + 1))) {
                simdjson::dom::element first;
                if (!m_parser.parse(body.data(), nl, false).get(first))
                    return forEachLine(body, onItem, errors, malformed, itemCount, tooMany);
            }
        }
        *malformed = describe(err, {});
        return false;
    }
    if (root.is_array()) {
        int index = 0;
        simdjson::dom::array array;
        if (root.get_array().get(array) != simdjson::SUCCESS)
            return false;
        for (simdjson::dom::element item : array) {
            if (index == kMaxItemsPerRequest) {
                *tooMany = true;
                break;
            }
            if (!onItem(index++, item))
                break;
        }
        *itemCount = index;
        return true;
    }
    if (root.is_object()) {
        onItem(0, root);
        *itemCount = 1;
        return true;
    }
    *malformed = "expected a JSON object, an array of objects, or NDJSON";
    return false;
}

bool JsonItems::forEachLine(std::string_view body, const ItemFn &onItem, ItemErrors &errors, std::string *malformed,
                            int *itemCount, bool *tooMany)
{
    int index = 0;
    int parsed = 0;
    std::size_t pos = 0;
    std::string firstError;
    while (pos < body.size()) {
        std::size_t end = body.find('\n', pos);
        if (end == std::string_view::npos)
            end = body.size();
        const std::string_view line = body.substr(pos, end - pos);
        pos = end + 1;
        if (isBlank(line))
            continue;
        if (index == kMaxItemsPerRequest) {
            *tooMany = true;
            break;
        }
        simdjson::dom::element doc;
        // The line is followed by the rest of the padded body, so reading ahead stays in bounds.
        const auto err = m_parser.parse(line.data(), line.size(), false).get(doc);
        if (err) {
            std::string msg = describe(err, "on line " + std::to_string(index + 1));
            if (firstError.empty())
                firstError = msg;
            errors.add({index, "", std::move(msg)});
        } else if (!doc.is_object()) {
            errors.add({index, "", "expected a JSON object on each NDJSON line"});
            ++parsed;
        } else {
            ++parsed;
            if (!onItem(index, doc)) {
                ++index;
                break;
            }
        }
        ++index;
    }
    *itemCount = index;
    if (index > 0 && parsed == 0) {
        // Nothing in the body was JSON at all: a malformed request rather than invalid items.
        errors.clear();
        *malformed = firstError;
        return false;
    }
    return true;
}

void appendJsonString(std::string &out, std::string_view s)
{
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out.push_back(char(c));
            }
        }
    }
    out.push_back('"');
}

std::string minifiedJson(simdjson::dom::element e) { return simdjson::minify(e); }

} // namespace fg
