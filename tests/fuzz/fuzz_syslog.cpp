// Fuzzes syslog: the TCP framer (octet counting and LF) over the input, each framed message through the
// RFC 5424/3164 parser, and the decoder over the input as a body of octet-counted frames.

#include <cstdint>
#include <string>

#include "ingest/serviceregistry.h"
#include "ingest/syslogdecoder.h"
#include "ingest/syslogmessage.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fg::ServiceRegistry services(64);
    static fg::SyslogDecoder decoder(&services);
    const auto *bytes = reinterpret_cast<const char *>(data);
    fg::SyslogFramer framer(4096);
    framer.append(bytes, qsizetype(size));
    QByteArray message;
    for (int i = 0; i < 10'000 && framer.next(&message) == fg::SyslogFramer::Result::Message; ++i) {
        fg::LogRecord r;
        fg::ItemError e;
        (void)fg::parseSyslogMessage(std::string_view(message.constData(), std::size_t(message.size())), fg::nowNs(), r, e);
    }
    std::string body(bytes, size);
    body.append(fg::kJsonPadding, '\0');
    (void)decoder.decode(std::string_view(body.data(), size), fg::BodyFormat::Text, fg::nowNs(), nullptr, {});
    return 0;
}
