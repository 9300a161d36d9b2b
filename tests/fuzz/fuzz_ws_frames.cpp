// Fuzzes the WebSocket frame reader: the input is cut in two at a point its first byte chooses, so
// frames split across reads are covered, and every event is drained until the reader needs more or fails.

#include <cstdint>

#include "ingest/wsframes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    fg::WsLimits limits;
    limits.maxFrameBytes = 4096;
    limits.maxMessageBytes = 8192;
    fg::WsFrameReader reader(limits);
    const auto *bytes = reinterpret_cast<const char *>(data + 1);
    const qsizetype n = qsizetype(size - 1);
    const qsizetype cut = n ? qsizetype(data[0]) % (n + 1) : 0;
    for (auto [from, len] : {std::pair<qsizetype, qsizetype>{0, cut}, {cut, n - cut}}) {
        reader.append(bytes + from, len);
        for (int i = 0; i < 10'000; ++i) {
            const auto e = reader.next();
            if (e.kind == fg::WsFrameReader::Kind::NeedMore || e.kind == fg::WsFrameReader::Kind::Error)
                break;
        }
    }
    (void)fg::isValidUtf8(QByteArray(bytes, n));
    return 0;
}
