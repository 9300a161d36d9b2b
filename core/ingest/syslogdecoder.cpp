#include "syslogdecoder.h"

#include "syslogmessage.h"

namespace fg {

DecodeResult SyslogDecoder::decode(std::string_view body, BodyFormat, TimeNs receivedAt, DecodeBudget *budget,
                                   std::string_view)
{
    DecodeResult result;
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t len = 0, i = pos;
        while (i < body.size() && i - pos < 9 && body[i] >= '0' && body[i] <= '9')
            len = len * 10 + std::size_t(body[i++] - '0');
        if (i == pos || i >= body.size() || body[i] != ' ' || len > body.size() - i - 1) {
            result.malformed = "expected octet-counted syslog frames (LEN SP MSG) at byte " + std::to_string(pos);
            result.batch = {};
            return result;
        }
        const std::string_view message = body.substr(i + 1, len);
        pos = i + 1 + len;
        if (result.items == kMaxItemsPerRequest) {
            result.tooManyItems = true;
            return result;
        }
        const int index = result.items++;
        LogRecord r;
        ItemError error;
        if (!parseSyslogMessage(message, receivedAt, r, error)) {
            error.index = index;
            result.errors.add(std::move(error));
            continue;
        }
        if (!result.keepLog(std::move(r), index, m_services, budget))
            return result;
    }
    return result;
}

} // namespace fg
