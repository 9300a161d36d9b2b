#include "lokiprotobuf.h"

#include <snappy.h>

#include "decodebudget.h"
#include "ingestdecoder.h"
#include "jsonitems.h"
#include "ingest/lokiproto/push.pb.h"

namespace fg::loki {

namespace {

// Without a budget (tools, fuzzing) an uncompressed body is still bounded.
constexpr std::size_t kMaxUncompressed = 64u << 20;

bool isNameChar(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && ((c >= '0' && c <= '9') || c == '.'));
}

} // namespace

bool labelsAsJsonMembers(std::string_view s, std::string &members)
{
    std::size_t i = 0;
    auto skipSpace = [&] {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
            ++i;
    };
    skipSpace();
    if (i >= s.size() || s[i++] != '{')
        return false;
    skipSpace();
    if (i < s.size() && s[i] == '}') {
        ++i;
        skipSpace();
        return i == s.size();
    }
    for (;;) {
        skipSpace();
        const std::size_t nameStart = i;
        while (i < s.size() && isNameChar(s[i], i == nameStart))
            ++i;
        if (i == nameStart)
            return false;
        const std::string_view name = s.substr(nameStart, i - nameStart);
        skipSpace();
        if (i >= s.size() || s[i++] != '=')
            return false;
        skipSpace();
        if (i >= s.size() || s[i++] != '"')
            return false;
        std::string value;
        for (;;) {
            if (i >= s.size())
                return false;
            const char c = s[i++];
            if (c == '"')
                break;
            if (c != '\\') {
                value.push_back(c);
                continue;
            }
            if (i >= s.size())
                return false;
            const char e = s[i++];
            value.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
        }
        if (!members.empty())
            members.push_back(',');
        appendJsonString(members, name);
        members.push_back(':');
        appendJsonString(members, value);
        skipSpace();
        if (i >= s.size())
            return false;
        const char next = s[i++];
        if (next == '}') {
            skipSpace();
            return i == s.size();
        }
        if (next != ',')
            return false;
    }
}

bool protobufAsJson(std::string_view body, DecodeBudget *budget, DecodeResult &result, std::string &json)
{
    std::size_t size = 0;
    if (!snappy::GetUncompressedLength(body.data(), body.size(), &size)) {
        result.malformed = "the body is not snappy-compressed (Loki's protobuf push is a snappy block of a PushRequest)";
        return false;
    }
    if (size > kMaxUncompressed || (budget && !budget->charge(kJsonParseFactor * std::int64_t(size)))) {
        result.overBudget = true;
        return false;
    }
    std::string raw;
    if (!snappy::Uncompress(body.data(), body.size(), &raw)) {
        result.malformed = "the snappy-compressed body is corrupt";
        return false;
    }
    fg::lokipb::PushRequest request;
    if (!request.ParseFromString(raw)) {
        result.malformed = "the body is not a Loki protobuf PushRequest";
        return false;
    }
    raw = std::string();
    json.clear();
    json.reserve(std::size_t(request.ByteSizeLong()) * 2 + 64);
    json += "{\"streams\":[";
    for (int s = 0; s < request.streams_size(); ++s) {
        const fg::lokipb::StreamAdapter &stream = request.streams(s);
        std::string labels;
        if (!labelsAsJsonMembers(stream.labels(), labels)) {
            result.malformed = "streams[" + std::to_string(s) + "].labels must be a label set: {name=\"value\", ...}";
            return false;
        }
        json += s ? ",{\"stream\":{" : "{\"stream\":{";
        json += labels;
        json += "},\"values\":[";
        for (int e = 0; e < stream.entries_size(); ++e) {
            const fg::lokipb::EntryAdapter &entry = stream.entries(e);
            // A missing or unrepresentable timestamp becomes 0, which the JSON decoder refuses for that entry alone.
            const std::int64_t seconds = entry.timestamp().seconds(), nanos = entry.timestamp().nanos();
            std::int64_t ns = 0;
            if (__builtin_mul_overflow(seconds, std::int64_t(1'000'000'000), &ns) || __builtin_add_overflow(ns, nanos, &ns) || ns < 0)
                ns = 0;
            json += e ? ",[\"" : "[\"";
            json += std::to_string(ns);
            json += "\",";
            appendJsonString(json, entry.line());
            if (entry.structuredmetadata_size() > 0) {
                json += ",{";
                for (int m = 0; m < entry.structuredmetadata_size(); ++m) {
                    if (m)
                        json.push_back(',');
                    appendJsonString(json, entry.structuredmetadata(m).name());
                    json.push_back(':');
                    appendJsonString(json, entry.structuredmetadata(m).value());
                }
                json.push_back('}');
            }
            json.push_back(']');
        }
        json += "]}";
    }
    json += "]}";
    json.append(kJsonPadding, '\0');
    return true;
}

} // namespace fg::loki
