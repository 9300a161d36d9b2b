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

enum class BodyFormat { Json, Ndjson, Auto };

// Bodies handed to the decoders must have this many readable bytes after their end (simdjson reads ahead).
constexpr std::size_t kJsonPadding = simdjson::SIMDJSON_PADDING;

// Splits an ingest body into items: a JSON array of objects, one object, or NDJSON (one document a line).
// Auto tries JSON first and takes the body as NDJSON when it holds several newline-separated documents.
// Calls onItem(index, element) for each item that parses, until it returns false; a malformed NDJSON line
// becomes an ItemError.
// Returns false with *malformed set when the body as a whole is not JSON (HTTP 400).
class JsonItems final {
public:
    using ItemFn = std::function<bool(int index, simdjson::dom::element item)>;
    bool forEach(std::string_view paddedBody, BodyFormat format, const ItemFn &onItem,
                 std::vector<ItemError> &errors, std::string *malformed, int *itemCount);

private:
    bool forEachLine(std::string_view body, const ItemFn &onItem, std::vector<ItemError> &errors,
                     std::string *malformed, int *itemCount);
    simdjson::dom::parser m_parser;
};

// JSON text helpers for building attribute objects and responses without a DOM.
void appendJsonString(std::string &out, std::string_view s);
std::string minifiedJson(simdjson::dom::element e);

} // namespace fg
