#include "rawlinedecoder.h"

#include "decodebudget.h"
#include "fieldvalues.h"
#include "nativelogdecoder.h"

namespace fg {

namespace {

constexpr std::size_t kMaxServiceName = 256;

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

} // namespace

DecodeResult RawLineDecoder::decode(std::string_view body, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                                    std::string_view queryService)
{
    DecodeResult result;
    auto onObject = [&](int index, simdjson::dom::element item) {
        if (!item.is_object()) {
            result.errors.add({index, "", "expected a JSON object"});
            return true;
        }
        LogRecord r;
        ItemError error;
        if (!decodeLogObject(jsonObject(item), receivedAt, queryService, r, error)) {
            error.index = index;
            result.errors.add(std::move(error));
            return true;
        }
        return result.keepLog(std::move(r), index, m_services, budget);
    };
    if (format != BodyFormat::Text) {
        m_items.forEach(body, format, onObject, result.errors, &result.malformed, &result.items, &result.tooManyItems);
        return result;
    }
    const bool serviceOk = !queryService.empty() && queryService.size() <= kMaxServiceName && isDisplayableName(queryService);
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t end = body.find('\n', pos);
        if (end == std::string_view::npos)
            end = body.size();
        const std::string_view line = trimmed(body.substr(pos, end - pos));
        pos = end + 1;
        if (line.find_first_not_of(" \t") == std::string_view::npos)
            continue;
        if (result.items == kMaxItemsPerRequest) {
            result.tooManyItems = true;
            break;
        }
        const int index = result.items++;
        if (line.front() == '{') {
            // The rest of the padded body follows the line, so simdjson's read-ahead stays in bounds.
            simdjson::dom::element doc;
            if (!m_lineParser.parse(line.data(), line.size(), false).get(doc) && doc.is_object()) {
                if (!onObject(index, doc))
                    break;
                continue;
            }
        }
        if (!serviceOk) {
            result.errors.add({index, "service",
                               queryService.empty() ? "is required: pass ?service=NAME for plain-text lines"
                                                    : "the service parameter must be at most 256 bytes without "
                                                      "control characters"});
            continue;
        }
        LogRecord r;
        r.ts = receivedAt;
        r.received = receivedAt;
        r.service.assign(queryService);
        r.message.assign(line);
        if (!result.keepLog(std::move(r), index, m_services, budget))
            break;
    }
    if (m_lineParser.capacity() > JsonItems::kKeepParserBytes)
        m_lineParser = simdjson::dom::parser{};
    return result;
}

} // namespace fg
