#include "elasticbulkdecoder.h"

#include <algorithm>

#include "fieldvalues.h"
#include "jsonitems.h"

namespace fg {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr std::size_t kMaxServiceName = 256;

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    return s;
}

// The value at a dotted path, written either as one dotted key ("log.level") or nested objects.
std::optional<element> at(object doc, std::string_view dotted)
{
    element v;
    if (doc[dotted].get(v) == simdjson::SUCCESS)
        return v;
    const std::size_t dot = dotted.find('.');
    if (dot == std::string_view::npos)
        return std::nullopt;
    element inner;
    if (doc[dotted.substr(0, dot)].get(inner) != simdjson::SUCCESS || inner.type() != element_type::OBJECT)
        return std::nullopt;
    return at(jsonObject(inner), dotted.substr(dot + 1));
}

std::optional<std::string_view> stringAt(object doc, std::string_view dotted)
{
    const auto v = at(doc, dotted);
    if (!v || v->type() != element_type::STRING)
        return std::nullopt;
    return jsonString(*v);
}

// Top-level members a mapped field came from; they are not repeated in the attributes. Fields nested in
// an object (log.level, service.name) keep their object in the attributes.
struct Used {
    std::vector<std::string_view> keys;
    bool has(std::string_view k) const { return std::find(keys.begin(), keys.end(), k) != keys.end(); }
};

bool decodeDocument(object doc, std::string_view index, TimeNs receivedAt, LogRecord &r, ItemError &error)
{
    auto fail = [&](const char *field, std::string message) {
        error.field = field;
        error.message = std::move(message);
        return false;
    };
    Used used;
    r.received = receivedAt;
    r.ts = receivedAt;
    for (std::string_view key : {"@timestamp", "timestamp", "time"}) {
        element v;
        if (doc[key].get(v) != simdjson::SUCCESS)
            continue;
        const auto ts = jsonTime(v);
        if (!ts)
            return fail("@timestamp", "must be an RFC 3339 time or epoch milliseconds");
        r.ts = *ts;
        used.keys.push_back(key);
        break;
    }
    bool haveMessage = false;
    for (std::string_view key : {"message", "log", "msg"}) {
        element v;
        if (doc[key].get(v) != simdjson::SUCCESS || v.type() != element_type::STRING)
            continue;
        r.message.assign(jsonString(v));
        used.keys.push_back(key);
        haveMessage = true;
        break;
    }
    if (!haveMessage)
        return fail("message", "the document needs a message, log or msg string");
    for (std::string_view key : {"level", "log.level", "severity", "levelname"}) {
        const auto v = stringAt(doc, key);
        if (!v || v->empty())
            continue;
        const ParsedLevel parsed = parseLevel(v->substr(0, 64));
        r.level = parsed.level;
        if (std::string_view(levelName(r.level)) != *v)
            r.levelRaw.assign(v->substr(0, 64));
        if (key.find('.') == std::string_view::npos)
            used.keys.push_back(key);
        break;
    }
    bool haveService = false;
    for (std::string_view key : {"service.name", "service", "app", "kubernetes.container_name"}) {
        const auto v = stringAt(doc, key);
        if (!v || v->empty())
            continue;
        r.service.assign(*v);
        if (key.find('.') == std::string_view::npos || doc[key].error() == simdjson::SUCCESS)
            used.keys.push_back(key);
        haveService = true;
        break;
    }
    if (!haveService) {
        if (index.empty())
            return fail("service", "no service.name, service, app or kubernetes.container_name field and no _index");
        r.service.assign(index);
    }
    if (r.service.size() > kMaxServiceName || !isDisplayableName(r.service))
        return fail("service", "must be at most 256 bytes without control characters or bidirectional overrides");
    for (std::string_view key : {"trace.id", "trace_id"}) {
        if (const auto v = stringAt(doc, key)) {
            r.traceId.assign(v->substr(0, 64));
            break;
        }
    }
    if (const auto v = stringAt(doc, "span.id"))
        r.spanId.assign(v->substr(0, 32));
    std::string attributes;
    for (auto [key, value] : doc) {
        if (used.has(key))
            continue;
        attributes.push_back(attributes.empty() ? '{' : ',');
        appendJsonString(attributes, key);
        attributes.push_back(':');
        attributes += minifiedJson(value);
    }
    if (haveService && !index.empty()) {
        attributes.push_back(attributes.empty() ? '{' : ',');
        attributes += "\"_index\":";
        appendJsonString(attributes, index);
    }
    if (!attributes.empty())
        r.attributes = attributes + "}";
    return true;
}

} // namespace

DecodeResult ElasticBulkDecoder::decode(std::string_view body, BodyFormat, TimeNs receivedAt, DecodeBudget *budget,
                                        std::string_view urlIndex)
{
    DecodeResult result;
    const ParserRelease release{m_parser};
    std::size_t pos = 0;
    int lineNo = 0;
    auto nextLine = [&](std::string_view &line) {
        while (pos < body.size()) {
            std::size_t end = body.find('\n', pos);
            if (end == std::string_view::npos)
                end = body.size();
            line = trimmed(body.substr(pos, end - pos));
            pos = end + 1;
            ++lineNo;
            if (!line.empty())
                return true;
        }
        return false;
    };
    std::string_view line;
    while (nextLine(line)) {
        if (result.items == kMaxItemsPerRequest) {
            result.tooManyItems = true;
            return result;
        }
        // The action: {"index"|"create"|"delete"|"update": {"_index":…, …}}. The padded body follows
        // the line, so simdjson's read-ahead stays in bounds.
        element action;
        if (m_parser.parse(line.data(), line.size(), false).get(action) != simdjson::SUCCESS
            || action.type() != element_type::OBJECT || jsonObject(action).size() != 1) {
            result.malformed = "line " + std::to_string(lineNo)
                               + ": expected an action line {\"index\"|\"create\"|\"delete\"|\"update\":{…}}";
            result.batch = {};
            return result;
        }
        const auto [name, meta] = *jsonObject(action).begin();
        char kind = 0;
        if (name == "index")
            kind = 'i';
        else if (name == "create")
            kind = 'c';
        else if (name == "delete")
            kind = 'd';
        else if (name == "update")
            kind = 'u';
        if (!kind || meta.type() != element_type::OBJECT) {
            result.malformed = "line " + std::to_string(lineNo) + ": unknown action '" + std::string(name).substr(0, 32)
                               + "'; expected index, create, delete or update with an object";
            result.batch = {};
            return result;
        }
        std::string index(urlIndex);
        if (const auto v = stringAt(jsonObject(meta), "_index"))
            index.assign(v->substr(0, kMaxServiceName + 1));
        const int item = result.items++;
        result.itemKinds.push_back(kind);
        if (kind == 'd')
            continue;
        std::string_view docLine;
        if (!nextLine(docLine)) {
            result.errors.add({item, "document", "the action has no document line after it"});
            break;
        }
        if (kind == 'u')
            continue;
        element doc;
        if (m_parser.parse(docLine.data(), docLine.size(), false).get(doc) != simdjson::SUCCESS
            || doc.type() != element_type::OBJECT) {
            result.errors.add({item, "document", "the document is not a JSON object"});
            continue;
        }
        LogRecord r;
        ItemError error;
        if (!decodeDocument(jsonObject(doc), index, receivedAt, r, error)) {
            error.index = item;
            result.errors.add(std::move(error));
            continue;
        }
        if (!result.keepLog(std::move(r), item, m_services, budget))
            return result;
    }
    return result;
}

} // namespace fg
