#include "logstreamdecoder.h"

#include "fieldvalues.h"
#include "nativelogdecoder.h"

namespace fg {

DecodeResult LogStreamDecoder::decode(std::string_view body, BodyFormat, TimeNs receivedAt, DecodeBudget *budget,
                                      std::string_view pathService)
{
    DecodeResult result;
    const ParserRelease release{m_parser};
    simdjson::dom::element root;
    if (const auto err = m_parser.parse(body.data(), body.size(), false).get(root)) {
        result.malformed = std::string("malformed JSON: ") + simdjson::error_message(err);
        return result;
    }
    if (!root.is_object()) {
        result.malformed = "expected {\"service_name\":…,\"logs\":[…]} or one log object";
        return result;
    }
    auto one = [&](int index, simdjson::dom::element item) {
        return result.keepLogObject(
            item, index, "logs", "each log must be a JSON object",
            [&](simdjson::dom::object o, LogRecord &r, ItemError &error) {
                return decodeLogObject(o, receivedAt, pathService, r, error);
            },
            m_services, budget);
    };
    simdjson::dom::element logs;
    if (jsonObject(root)["logs"].get(logs) != simdjson::SUCCESS) {
        result.items = 1;
        one(0, root);
        return result;
    }
    if (!logs.is_array()) {
        result.malformed = "logs must be an array of log objects";
        return result;
    }
    for (simdjson::dom::element item : jsonArray(logs)) {
        if (result.items == kMaxItemsPerRequest) {
            result.tooManyItems = true;
            return result;
        }
        if (!one(result.items++, item))
            return result;
    }
    return result;
}

} // namespace fg
