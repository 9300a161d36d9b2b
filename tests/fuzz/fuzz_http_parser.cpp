// Fuzzes the HTTP/1.1 request framing: the input fed whole and again split at a point taken from its first
// byte must give the same requests and the same error, and no body may exceed the limit.

#include <cstdint>
#include <vector>

#include "ingest/httprequestparser.h"

namespace {

struct Outcome {
    std::vector<QByteArray> bodies;
    int error = 0;
};

Outcome run(const QByteArray &first, const QByteArray &second, const fg::HttpLimits &limits)
{
    fg::HttpRequestParser parser(limits);
    Outcome out;
    QByteArray in;
    for (const QByteArray *piece : {&first, &second}) {
        in += *piece;
        for (int steps = 0; steps < 100'000; ++steps) {
            const auto status = parser.parse(in, [&](qint64 total) { return total <= limits.maxBodyBytes; });
            if (status == fg::HttpRequestParser::Status::Incomplete)
                break;
            if (status == fg::HttpRequestParser::Status::Bad || status == fg::HttpRequestParser::Status::Refused) {
                out.error = parser.error().status ? parser.error().status : -1;
                return out;
            }
            if (status == fg::HttpRequestParser::Status::Head && !parser.startBody()) {
                out.error = parser.error().status;
                return out;
            }
            if (status == fg::HttpRequestParser::Status::Complete) {
                fg::HttpRequest r = parser.takeRequest();
                if (r.body.size() > limits.maxBodyBytes)
                    __builtin_trap();
                out.bodies.push_back(r.body);
            }
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    fg::HttpLimits limits;
    limits.maxBodyBytes = 4096;
    limits.maxHeaderBytes = 2048;
    const QByteArray all(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    const qsizetype at = qsizetype(data[0]) * all.size() / 256;
    const Outcome whole = run(all, {}, limits);
    const Outcome split = run(all.left(at), all.mid(at), limits);
    if (whole.bodies != split.bodies || whole.error != split.error)
        __builtin_trap();
    return 0;
}
