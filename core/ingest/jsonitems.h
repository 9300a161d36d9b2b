#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace fg {

// A rejected item: index counts items in the request (NDJSON lines included), field names the
// offending field ("" when the item as a whole is wrong).
struct ItemError {
    int index = 0;
    std::string field;
    std::string message;
};

// The rejected items of one request: all are counted, the first kMaxListed are described, so that a body
// of millions of bad items answers with a short list rather than millions of errors.
class ItemErrors final {
public:
    static constexpr int kMaxListed = 100;

    void add(ItemError error)
    {
        ++m_total;
        m_indices.push_back(error.index);
        if (m_listed.size() < std::size_t(kMaxListed))
            m_listed.push_back(std::move(error));
    }
    void clear()
    {
        m_total = 0;
        m_listed.clear();
        m_indices.clear();
    }
    int total() const { return m_total; }
    // The index of every refused item, described or not, in item order (at most kMaxItemsPerRequest).
    const std::vector<int> &indices() const { return m_indices; }
    bool truncated() const { return std::size_t(m_total) > m_listed.size(); }
    // The described ones, in item order.
    bool empty() const { return m_listed.empty(); }
    std::size_t size() const { return m_listed.size(); }
    const ItemError &operator[](std::size_t i) const { return m_listed[i]; }
    const ItemError &at(std::size_t i) const { return m_listed.at(i); }
    const ItemError &front() const { return m_listed.front(); }
    std::vector<ItemError>::const_iterator begin() const { return m_listed.begin(); }
    std::vector<ItemError>::const_iterator end() const { return m_listed.end(); }

private:
    int m_total = 0;
    std::vector<ItemError> m_listed;
    std::vector<int> m_indices;
};

// At most this many items per request: a small compressed body must not expand into unbounded work.
constexpr int kMaxItemsPerRequest = 100'000;

// Text: lines of plain text (raw log lines), for the decoders that take them. Protobuf: OTLP/HTTP's binary
// encoding, for the OTLP decoders.
enum class BodyFormat { Json, Ndjson, Auto, Text, Protobuf };

// Bodies handed to the decoders must have this many readable bytes after their end (simdjson reads ahead).
constexpr std::size_t kJsonPadding = simdjson::SIMDJSON_PADDING;
// Memory of a parsed document beyond its text, as a multiple of the text (simdjson's tape and strings
// for a body of tiny items): what is reserved or charged for a JSON text about to be parsed.
constexpr std::int64_t kJsonParseFactor = 4;

// Splits an ingest body into items: a JSON array of objects, one object, or NDJSON (one document a line).
// Auto tries JSON first and takes the body as NDJSON when it holds several newline-separated documents.
// Calls onItem(index, element) for each item that parses, until it returns false; a malformed NDJSON line
// becomes an ItemError. Past kMaxItemsPerRequest items it stops and sets *tooMany.
// Returns false with *malformed set when the body as a whole is not JSON (HTTP 400).
class JsonItems final {
public:
    using ItemFn = std::function<bool(int index, simdjson::dom::element item)>;
    bool forEach(std::string_view paddedBody, BodyFormat format, const ItemFn &onItem, ItemErrors &errors,
                 std::string *malformed, int *itemCount, bool *tooMany);
    // The parser's buffers grow to the largest document seen; after a large one they are given back.
    static constexpr std::size_t kKeepParserBytes = 4 * 1024 * 1024;

private:
    bool forEachLine(std::string_view body, const ItemFn &onItem, ItemErrors &errors, std::string *malformed,
                     int *itemCount, bool *tooMany);
    simdjson::dom::parser m_parser;
};

// Gives a parser's buffers back when it leaves scope after a document larger than
// JsonItems::kKeepParserBytes (they grow to the largest document seen). Declared before what reads the
// parser's results, so it runs after them.
struct ParserRelease {
    simdjson::dom::parser &parser;
    ~ParserRelease()
    {
        if (parser.capacity() > JsonItems::kKeepParserBytes)
            parser = simdjson::dom::parser{};
    }
};

// JSON text helpers for building attribute objects and responses without a DOM.
void appendJsonString(std::string &out, std::string_view s);
std::string minifiedJson(simdjson::dom::element e);

} // namespace fg
