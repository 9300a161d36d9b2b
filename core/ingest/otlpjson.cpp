#include "otlpjson.h"

#include <QByteArray>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "fieldvalues.h"
#include "jsonitems.h"

namespace fg::otlp {

namespace {

using simdjson::dom::element_type;

constexpr std::size_t kMaxServiceName = 256;

std::optional<std::uint64_t> unsignedText(std::string_view s)
{
    std::uint64_t u = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), u);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size())
        return std::nullopt;
    return u;
}

bool isHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

void appendDouble(std::string &out, double d)
{
    if (!std::isfinite(d)) { // JSON has no NaN/Infinity: keep them as the protobuf mapping spells them
        out += std::isnan(d) ? "\"NaN\"" : d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        return;
    }
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, ec == std::errc() ? std::size_t(end - buf) : 0);
}

} // namespace

std::optional<element> member(object o, std::string_view camel, std::string_view snake)
{
    element e;
    if (o.at_key(camel).get(e) == simdjson::SUCCESS)
        return e;
    if (!snake.empty() && o.at_key(snake).get(e) == simdjson::SUCCESS)
        return e;
    return std::nullopt;
}

bool arrayMember(object o, std::string_view camel, std::string_view snake, std::optional<element> &out)
{
    out = member(o, camel, snake);
    if (out && out->type() == element_type::NULL_VALUE)
        out.reset();
    return !out || out->type() == element_type::ARRAY;
}

std::optional<TimeNs> nanos(std::optional<element> v)
{
    if (!v || v->type() == element_type::NULL_VALUE)
        return 0;
    std::uint64_t u = 0;
    switch (v->type()) {
    case element_type::STRING: {
        const auto parsed = unsignedText(jsonString(*v));
        if (!parsed)
            return std::nullopt;
        u = *parsed;
        break;
    }
    case element_type::INT64:
        if (jsonInt64(*v) < 0)
            return std::nullopt;
        u = std::uint64_t(jsonInt64(*v));
        break;
    case element_type::UINT64: u = jsonUint64(*v); break;
    case element_type::DOUBLE: {
        // Numbers past 2^53 lose their last digits in a double; still the right time to the microsecond.
        const double d = jsonDouble(*v);
        if (!(d >= 0) || d >= double(kMaxTimeNs))
            return std::nullopt;
        u = std::uint64_t(d);
        break;
    }
    default: return std::nullopt;
    }
    if (u >= std::uint64_t(kMaxTimeNs))
        return std::nullopt;
    return TimeNs(u);
}

std::optional<std::int64_t> integer(element v)
{
    switch (v.type()) {
    case element_type::INT64: return jsonInt64(v);
    case element_type::UINT64:
        if (jsonUint64(v) > std::uint64_t(INT64_MAX))
            return std::nullopt;
        return std::int64_t(jsonUint64(v));
    case element_type::DOUBLE: {
        const double d = jsonDouble(v);
        if (std::floor(d) != d || std::fabs(d) > 9e18)
            return std::nullopt;
        return std::int64_t(d);
    }
    case element_type::STRING: {
        std::string_view s = jsonString(v);
        std::int64_t i = 0;
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
        if (s.empty() || ec != std::errc() || ptr != s.data() + s.size())
            return std::nullopt;
        return i;
    }
    default: return std::nullopt;
    }
}

std::optional<double> real(element v)
{
    if (v.type() == element_type::STRING) {
        const std::string_view s = jsonString(v);
        if (s == "NaN")
            return NAN;
        if (s == "Infinity")
            return INFINITY;
        if (s == "-Infinity")
            return -INFINITY;
    }
    return jsonNumber(v);
}

std::optional<std::string> hexId(std::optional<element> v, std::size_t bytes)
{
    if (!v || v->type() == element_type::NULL_VALUE)
        return std::string();
    if (v->type() != element_type::STRING)
        return std::nullopt;
    const std::string_view s = jsonString(*v);
    if (s.empty())
        return std::string();
    std::string out(s);
    // Base64, as the protobuf JSON mapping prints bytes (OTLP/HTTP protobuf read through JSON, and some
    // older JSON exporters): its length tells it apart from hex.
    if (s.size() == 4 * ((bytes + 2) / 3)) {
        const QByteArray raw = QByteArray::fromBase64(QByteArray::fromRawData(s.data(), qsizetype(s.size())),
                                                      QByteArray::AbortOnBase64DecodingErrors);
        if (std::size_t(raw.size()) != bytes)
            return std::nullopt;
        out = raw.toHex().toStdString();
    } else if (s.size() != 2 * bytes) {
        return std::nullopt;
    }
    bool allZero = true;
    for (char &c : out) {
        if (!isHex(c))
            return std::nullopt;
        if (c >= 'A' && c <= 'F')
            c = char(c - 'A' + 'a');
        allZero = allZero && c == '0';
    }
    return allZero ? std::string() : out;
}

bool appendAnyValue(std::string &out, element any, int depth)
{
    if (depth > kMaxAnyValueDepth || any.type() != element_type::OBJECT)
        return false;
    const object o = jsonObject(any);
    if (o.size() == 0) {
        out += "null";
        return true;
    }
    for (auto [key, v] : o) {
        if (key == "stringValue" || key == "string_value" || key == "bytesValue" || key == "bytes_value") {
            if (v.type() != element_type::STRING)
                return false;
            appendJsonString(out, jsonString(v));
        } else if (key == "boolValue" || key == "bool_value") {
            if (v.type() != element_type::BOOL)
                return false;
            out += v.get_bool().value_unsafe() ? "true" : "false";
        } else if (key == "intValue" || key == "int_value") {
            const auto i = integer(v);
            if (!i)
                return false;
            out += std::to_string(*i);
        } else if (key == "doubleValue" || key == "double_value") {
            const auto d = real(v);
            if (!d)
                return false;
            appendDouble(out, *d);
        } else if (key == "arrayValue" || key == "array_value" || key == "kvlistValue" || key == "kvlist_value") {
            const bool isArray = key == "arrayValue" || key == "array_value";
            std::optional<element> values;
            if (v.type() != element_type::OBJECT || !arrayMember(jsonObject(v), "values", {}, values))
                return false;
            out.push_back(isArray ? '[' : '{');
            if (values) {
                bool first = true;
                for (element item : jsonArray(*values)) {
                    if (!first)
                        out.push_back(',');
                    first = false;
                    if (isArray) {
                        if (!appendAnyValue(out, item, depth + 1))
                            return false;
                        continue;
                    }
                    if (item.type() != element_type::OBJECT)
                        return false;
                    const auto k = member(jsonObject(item), "key");
                    if (!k || k->type() != element_type::STRING)
                        return false;
                    appendJsonString(out, jsonString(*k));
                    out.push_back(':');
                    const auto val = member(jsonObject(item), "value");
                    if (!val)
                        out += "null";
                    else if (!appendAnyValue(out, *val, depth + 1))
                        return false;
                }
            }
            out.push_back(isArray ? ']' : '}');
        } else {
            continue; // unknown field: ignored, as protobuf JSON parsers do
        }
        return true; // AnyValue is a oneof: the first value field is the value
    }
    out += "null";
    return true;
}

namespace {

bool appendAttributesExcept(std::string &out, std::optional<element> keyValues, std::string_view skip)
{
    if (!keyValues || keyValues->type() == element_type::NULL_VALUE)
        return true;
    if (keyValues->type() != element_type::ARRAY)
        return false;
    for (element kv : jsonArray(*keyValues)) {
        if (kv.type() != element_type::OBJECT)
            return false;
        const auto k = member(jsonObject(kv), "key");
        if (!k || k->type() != element_type::STRING)
            return false;
        if (!skip.empty() && jsonString(*k) == skip)
            continue;
        if (!out.empty())
            out.push_back(',');
        appendJsonString(out, jsonString(*k));
        out.push_back(':');
        const auto val = member(jsonObject(kv), "value");
        if (!val)
            out += "null";
        else if (!appendAnyValue(out, *val, 1))
            return false;
    }
    return true;
}

} // namespace

bool appendAttributes(std::string &out, std::optional<element> keyValues)
{
    return appendAttributesExcept(out, keyValues, {});
}

std::optional<element> attribute(std::optional<element> keyValues, std::string_view key)
{
    if (!keyValues || keyValues->type() != element_type::ARRAY)
        return std::nullopt;
    for (element kv : jsonArray(*keyValues)) {
        if (kv.type() != element_type::OBJECT)
            continue;
        const auto k = member(jsonObject(kv), "key");
        if (k && k->type() == element_type::STRING && jsonString(*k) == key) {
            const auto v = member(jsonObject(kv), "value");
            if (v && v->type() == element_type::OBJECT)
                return v;
            return std::nullopt;
        }
    }
    return std::nullopt;
}

std::string_view stringAttribute(std::optional<element> keyValues, std::string_view key)
{
    const auto v = attribute(keyValues, key);
    if (!v)
        return {};
    const auto s = member(jsonObject(*v), "stringValue", "string_value");
    return s && s->type() == element_type::STRING ? jsonString(*s) : std::string_view();
}

std::optional<std::int64_t> intAttribute(std::optional<element> keyValues, std::string_view key)
{
    const auto v = attribute(keyValues, key);
    if (!v)
        return std::nullopt;
    if (const auto i = member(jsonObject(*v), "intValue", "int_value"))
        return integer(*i);
    if (const auto s = member(jsonObject(*v), "stringValue", "string_value"))
        return integer(*s);
    return std::nullopt;
}

Resource readResource(object entry)
{
    Resource r;
    std::optional<element> attrs;
    if (const auto res = member(entry, "resource"); res && res->type() == element_type::OBJECT)
        attrs = member(jsonObject(*res), "attributes");
    // The other resource attributes (service.name is the service column already).
    if (!appendAttributesExcept(r.attributes, attrs, "service.name")) {
        r.error = "resource.attributes must be a list of {key, value} with OTLP AnyValue values";
        return r;
    }
    const auto serviceValue = attribute(attrs, "service.name");
    const std::string_view service = stringAttribute(attrs, "service.name");
    if (serviceValue && service.empty())
        r.error = "resource attribute service.name must be a non-empty stringValue";
    else if (service.size() > kMaxServiceName)
        r.error = "resource attribute service.name is longer than 256 bytes";
    else if (!isDisplayableName(service))
        r.error = "resource attribute service.name must not contain control characters or bidirectional overrides";
    r.service = service.empty() ? std::string(kUnknownService) : std::string(service);
    return r;
}

std::string closeAttributes(std::string members, const Resource &resource)
{
    if (members.empty() && resource.attributes.empty())
        return {};
    std::string out;
    out.reserve(members.size() + resource.attributes.size() + 16);
    out.push_back('{');
    out += members;
    if (!resource.attributes.empty()) {
        if (!members.empty())
            out.push_back(',');
        out += "\"resource\":{";
        out += resource.attributes;
        out.push_back('}');
    }
    out.push_back('}');
    return out;
}

} // namespace fg::otlp

namespace fg::otlp {

bool RequestWalker::walk(std::string_view body, const SignalShape &shape, const ItemFn &onItem, std::string *malformed)
{
    const ParserRelease release{m_parser};
    element root;
    if (const auto err = m_parser.parse(body.data(), body.size(), false).get(root)) {
        *malformed = std::string("malformed JSON: ") + simdjson::error_message(err);
        return false;
    }
    const std::string expected = "expected OTLP JSON: an object with " + std::string(shape.resource) + "[]."
                                 + std::string(shape.scope) + "[]." + std::string(shape.items) + "[]";
    if (root.type() != simdjson::dom::element_type::OBJECT) {
        *malformed = expected;
        return false;
    }
    std::optional<element> resources;
    if (!arrayMember(jsonObject(root), shape.resource, shape.resourceSnake, resources)) {
        *malformed = std::string(shape.resource) + " must be an array";
        return false;
    }
    if (!resources) {
        if (jsonObject(root).size() == 0)
            return true; // an empty request, which OTLP answers with success
        *malformed = expected;
        return false;
    }
    for (element entry : jsonArray(*resources)) {
        if (entry.type() != simdjson::dom::element_type::OBJECT) {
            *malformed = std::string(shape.resource) + "[] must hold objects";
            return false;
        }
        std::optional<element> scopes;
        if (!arrayMember(jsonObject(entry), shape.scope, shape.scopeSnake, scopes)) {
            *malformed = std::string(shape.scope) + " must be an array";
            return false;
        }
        if (!scopes)
            continue;
        const Resource resource = readResource(jsonObject(entry));
        for (element scope : jsonArray(*scopes)) {
            std::optional<element> items;
            if (scope.type() != simdjson::dom::element_type::OBJECT
                || !arrayMember(jsonObject(scope), shape.items, shape.itemsSnake, items)) {
                *malformed = std::string(shape.scope) + "[]." + std::string(shape.items) + " must be an array";
                return false;
            }
            if (!items)
                continue;
            for (element item : jsonArray(*items))
                if (!onItem(resource, item))
                    return true;
        }
    }
    return true;
}

void RequestWalker::walkRecords(std::string_view body, const SignalShape &shape, const char *notAnObject,
                                const RecordFn &decode, DecodeResult &result, ServiceRegistry *services,
                                DecodeBudget *budget)
{
    auto onItem = [&](const Resource &resource, element item) {
        const int index = result.items;
        if (index == kMaxItemsPerRequest) {
            result.tooManyItems = true;
            return false;
        }
        ++result.items;
        if (!resource.error.empty()) {
            result.errors.add({index, "resource", resource.error});
            return true;
        }
        return result.keepLogObject(
            item, index, "", notAnObject,
            [&](object o, LogRecord &r, ItemError &error) { return decode(o, resource, r, error); }, services, budget);
    };
    walk(body, shape, onItem, &result.malformed);
}

} // namespace fg::otlp
