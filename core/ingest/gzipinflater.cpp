#include "gzipinflater.h"

#include <zlib.h>

namespace fg {

GzipInflater::Result GzipInflater::inflate(const QByteArray &in, qint64 maxOutput, QByteArray &out, qsizetype padding)
{
    z_stream zs{};
    // 32 + MAX_WBITS: detect gzip or zlib headers automatically.
    if (inflateInit2(&zs, 32 + MAX_WBITS) != Z_OK)
        return Result::Corrupt;
    out.clear();
    qsizetype capacity = std::min<qint64>(std::max<qint64>(in.size() * 4, 64 * 1024), maxOutput) + padding;
    out.resize(capacity);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
    zs.avail_in = uInt(in.size());
    qsizetype produced = 0;
    Result result = Result::Ok;
    for (;;) {
        zs.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        zs.avail_out = uInt(out.size() - padding - produced);
        const int rc = ::inflate(&zs, Z_NO_FLUSH);
        produced = out.size() - padding - qsizetype(zs.avail_out);
        if (rc == Z_STREAM_END) {
            // Concatenated gzip members are legal: keep going if input remains.
            if (zs.avail_in == 0)
                break;
            if (inflateReset(&zs) != Z_OK) {
                result = Result::Corrupt;
                break;
            }
            continue;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            result = Result::Corrupt;
            break;
        }
        if (zs.avail_out == 0) {
            if (produced >= maxOutput) {
                result = Result::TooLarge;
                break;
            }
            out.resize(std::min<qint64>(qint64(out.size() - padding) * 2, maxOutput) + padding);
            continue;
        }
        if (zs.avail_in == 0) {
            result = Result::Corrupt; // truncated stream
            break;
        }
    }
    inflateEnd(&zs);
    out.resize(produced);
    out.reserve(produced + padding);
    return result;
}

} // namespace fg
