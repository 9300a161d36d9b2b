#include "eventdecoder.h"

#include <QRandomGenerator>

#include <cstdio>

#include "fieldvalues.h"

namespace fg {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::size_t kMaxName = 256;      // type, source, correlation/session/user ids
constexpr std::size_t kMaxEventId = 128;
constexpr std::size_t kMaxTags = 64;
constexpr std::size_t kMaxTagBytes = 128;
constexpr std::size_t kSummaryBytes = 160; // of data, in the message

bool isNull(element v) { return v.type() == element_type::NULL_VALUE; }

// Event ids travel in URL paths (GET /events/{id}): a conservative alphabet that needs no escaping.
bool isEventId(std::string_view id)
{
    if (id.empty() || id.size() > kMaxEventId)
        return false;
    for (char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
              || c == '.' || c == ':'))
            return false;
    return true;
}

// The first `max` bytes of UTF-8 text without cutting a character.
std::string_view utf8Prefix(std::string_view s, std::size_t max)
{
    if (s.size() <= max)
        return s;
    while (max > 0 && (static_cast<unsigned char>(s[max]) & 0xC0) == 0x80)
        --max;
    return s.substr(0, max);
}

// A UUIDv7 (RFC 9562) for an event sent without an id. Its leading milliseconds make the ids of one moment
// neighbours in the signal-id index, so storing them appends there instead of writing a random page each.
std::string timeOrderedUuid(TimeNs now)
{
    QRandomGenerator *random = QRandomGenerator::global();
    const std::uint64_t hi = (std::uint64_t(now / kNsPerMs) << 16) | 0x7000u | (random->generate() & 0x0FFFu);
    const std::uint64_t lo = (random->generate64() & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
    char text[40];
    std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", unsigned(hi >> 32), unsigned((hi >> 16) & 0xFFFF),
                  unsigned(hi & 0xFFFF), unsigned(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
    return text;
}

void appendMember(std::string &out, std::string_view key, std::string_view jsonValue)
{
    if (out.size() > 1)
        out.push_back(',');
    appendJsonString(out, key);
    out.push_back(':');
    out += jsonValue;
}

} // namespace

std::optional<Level> levelForSeverity(std::string_view s)
{
    auto is = [s](std::string_view word) {
        if (s.size() != word.size())
            return false;
        for (std::size_t i = 0; i < s.size(); ++i)
            if ((s[i] >= 'A' && s[i] <= 'Z' ? char(s[i] - 'A' + 'a') : s[i]) != word[i])
                return false;
        return true;
    };
    if (is("low"))
        return Level::Info;
    if (is("medium"))
        return Level::Warn;
    if (is("high"))
        return Level::Error;
    if (is("critical"))
        return Level::Fatal;
    return std::nullopt;
}

bool decodeEventObject(simdjson::dom::object obj, TimeNs receivedAt, std::string_view defaultSource, LogRecord &r,
                       ItemError &error)
{
    auto fail = [&](const char *field, std::string message) {
        error.field = field;
        error.message = std::move(message);
        return false;
    };
    // A short, displayable string (numbers are taken as their text: ids are often numeric).
    auto name = [&](element v, const char *field, std::string &out) {
        auto s = jsonScalarText(v);
        if (!s || s->empty() || s->size() > kMaxName || !isDisplayableName(*s))
            return fail(field, "must be a non-empty string of at most 256 bytes without control characters");
        out = std::move(*s);
        return true;
    };
    std::string type, source, severity = "low", correlation, session, user, id, data, tagsJson = "[", extra = "{";
    std::string wrappedTags = ",";
    bool haveTs = false;
    r.received = receivedAt;
    for (auto [key, v] : obj) {
        if (key == "type") {
            if (v.type() != element_type::STRING || !name(v, "type", type))
                return fail("type", "must be a non-empty string of at most 256 bytes without control characters");
        } else if (key == "source") {
            if (isNull(v))
                continue;
            if (v.type() != element_type::STRING || !name(v, "source", source))
                return fail("source", "must be a non-empty string of at most 256 bytes without control characters");
        } else if (key == "severity") {
            if (isNull(v))
                continue;
            const auto level = v.type() == element_type::STRING ? levelForSeverity(jsonString(v)) : std::nullopt;
            if (!level)
                return fail("severity", "must be one of low, medium, high, critical");
            r.level = *level;
            severity.assign(jsonString(v));
            for (char &c : severity)
                c = c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
        } else if (key == "data") {
            if (isNull(v))
                continue;
            if (v.type() != element_type::OBJECT)
                return fail("data", "must be a JSON object");
            data = minifiedJson(v);
        } else if (key == "correlation_id" || key == "session_id" || key == "user_id") {
            if (isNull(v))
                continue;
            const char *field = key == "correlation_id" ? "correlation_id" : key == "session_id" ? "session_id" : "user_id";
            if (!name(v, field, key == "correlation_id" ? correlation : key == "session_id" ? session : user))
                return false;
        } else if (key == "tags") {
            if (isNull(v))
                continue;
            if (v.type() != element_type::ARRAY)
                return fail("tags", "must be an array of strings");
            std::size_t count = 0;
            for (element t : jsonArray(v)) {
                if (t.type() != element_type::STRING)
                    return fail("tags", "must be an array of strings");
                const std::string_view tag = jsonString(t);
                if (tag.empty() || tag.size() > kMaxTagBytes || tag.find(',') != std::string_view::npos
                    || !isDisplayableName(tag))
                    return fail("tags", "each tag must be 1 to 128 bytes without commas or control characters");
                if (++count > kMaxTags)
                    return fail("tags", "at most 64 tags per event");
                if (tagsJson.size() > 1)
                    tagsJson.push_back(',');
                appendJsonString(tagsJson, tag);
                if (wrappedTags.find("," + std::string(tag) + ",") == std::string::npos)
                    wrappedTags.append(tag).push_back(',');
            }
        } else if (key == "timestamp" || key == "ts") {
            if (isNull(v))
                continue;
            const auto t = jsonTime(v);
            if (!t)
                return fail(key == "ts" ? "ts" : "timestamp",
                            "must be ISO 8601 (e.g. 2024-01-01T12:00:00Z) or epoch s/ms/us/ns between 1970 and 2200");
            r.ts = *t;
            haveTs = true;
        } else if (key == "event_id" || key == "id") {
            if (isNull(v))
                continue;
            auto s = jsonScalarText(v);
            if (!s || !isEventId(*s))
                return fail(key == "id" ? "id" : "event_id",
                            "must be 1 to 128 letters, digits or . _ : - (a UUID, for instance)");
            id = std::move(*s);
        } else {
            appendMember(extra, key, minifiedJson(v));
        }
    }
    if (type.empty())
        return fail("type", "is required");
    if (source.empty()) {
        if (defaultSource.empty())
            return fail("source", "is required");
        if (defaultSource.size() > kMaxName || !isDisplayableName(defaultSource))
            return fail("source", "the service parameter must be at most 256 bytes without control characters");
        source.assign(defaultSource);
    }
    if (r.level == Level::Unknown)
        r.level = Level::Info; // severity low, the default
    if (id.empty())
        id = timeOrderedUuid(receivedAt);
    if (!haveTs)
        r.ts = receivedAt;
    extra.push_back('}');
    tagsJson.push_back(']');

    r.service = std::move(source);
    r.levelRaw = severity;
    r.signalId = id;
    r.message = type;
    if (data.size() > 2) {
        r.message += ' ';
        const std::string_view summary = utf8Prefix(data, kSummaryBytes);
        r.message += summary;
        if (summary.size() < data.size())
            r.message += "\u2026";
    }
    std::string event = "{";
    std::string typeJson;
    appendJsonString(typeJson, type);
    appendMember(event, "type", typeJson);
    appendMember(event, "data", data.empty() ? std::string_view("{}") : std::string_view(data));
    const std::pair<const char *, const std::string *> ids[] = {
        {"correlation_id", &correlation}, {"session_id", &session}, {"user_id", &user}};
    for (const auto &[field, value] : ids) {
        if (value->empty())
            continue;
        std::string text;
        appendJsonString(text, *value);
        appendMember(event, field, text);
    }
    appendMember(event, "tags", tagsJson);
    if (extra.size() > 2)
        appendMember(event, "extra", extra);
    event.push_back('}');
    r.attributes = "{";
    appendMember(r.attributes, EventDecoder::kEventAttribute, event);
    r.attributes.push_back('}');
    if (wrappedTags.find(std::string(",") + EventDecoder::kEventTag + ",") == std::string::npos)
        wrappedTags.append(EventDecoder::kEventTag).push_back(',');
    r.tags = std::move(wrappedTags);
    return true;
}

DecodeResult EventDecoder::decode(std::string_view body, BodyFormat, TimeNs receivedAt, DecodeBudget *budget,
                                  std::string_view queryService)
{
    DecodeResult result;
    const ParserRelease release{m_parser};
    simdjson::dom::element root;
    if (const auto err = m_parser.parse(body.data(), body.size(), false).get(root)) {
        result.malformed = std::string("malformed JSON: ") + simdjson::error_message(err);
        return result;
    }
    std::vector<element> items;
    if (m_shape == Shape::Single) {
        if (!root.is_object()) {
            result.malformed = "expected one event object: {\"type\":…,\"source\":…,\"data\":{…}}";
            return result;
        }
        items.push_back(root);
    } else {
        element events;
        if (root.is_array())
            events = root;
        else if (!root.is_object() || jsonObject(root)["events"].get(events) != simdjson::SUCCESS || !events.is_array()) {
            result.malformed = "expected {\"events\":[{event}, …]}";
            return result;
        }
        for (element item : jsonArray(events)) {
            if (items.size() == std::size_t(kMaxEventsPerBatch)) {
                result.tooManyItems = true;
                result.itemLimit = kMaxEventsPerBatch;
                return result;
            }
            items.push_back(item);
        }
    }
    result.items = int(items.size());
    // Every event is checked before any is kept: a batch is stored whole or not at all.
    std::vector<LogRecord> records(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const int index = int(i);
        if (!items[i].is_object()) {
            result.errors.add({index, m_shape == Shape::Batch ? "events" : "", "each event must be a JSON object"});
            continue;
        }
        ItemError error;
        if (!decodeEventObject(jsonObject(items[i]), receivedAt, queryService, records[i], error)) {
            error.index = index;
            result.errors.add(std::move(error));
        }
    }
    // A new source past the service cap refuses its event (named as the events API names it).
    for (std::size_t i = 0; i < records.size() && m_services && result.errors.total() == 0; ++i)
        if (!m_services->admit(records[i].service))
            result.errors.add({int(i), "source", serviceLimitMessage(m_services->max())});
    if (result.errors.total() > 0)
        return result;
    for (LogRecord &r : records) {
        std::string id = r.signalId;
        if (!result.keepLog(std::move(r), result.accepted, nullptr, budget))
            return result;
        result.itemIds.push_back(std::move(id));
    }
    return result;
}

} // namespace fg
