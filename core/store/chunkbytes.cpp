#include "chunkbytes.h"

#include <zstd.h>

#include <memory>

namespace fg {

namespace {

// Fast level: level 3 costs about twice the time for a few percent fewer bytes on log lines.
constexpr int kZstdLevel = 1;

// A context per thread, kept: ZSTD_compress and ZSTD_decompress make and free one a call, which costs
// more than decompressing a small block (a trace lookup looks into hundreds).
ZSTD_CCtx *compressContext()
{
    thread_local const std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> context(ZSTD_createCCtx(), &ZSTD_freeCCtx);
    if (!context)
        throw std::bad_alloc();
    return context.get();
}

ZSTD_DCtx *decompressContext()
{
    thread_local const std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), &ZSTD_freeDCtx);
    if (!context)
        throw std::bad_alloc();
    return context.get();
}

} // namespace

void putVarint(std::string &out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(char(v | 0x80));
        v >>= 7;
    }
    out.push_back(char(v));
}

std::uint64_t ByteReader::varint()
{
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (m_pos >= m_in.size())
            throw ChunkCorrupt();
        const auto b = std::uint8_t(m_in[m_pos++]);
        v |= std::uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    throw ChunkCorrupt();
}

std::string_view ByteReader::bytes(std::size_t n)
{
    if (n > m_in.size() - m_pos)
        throw ChunkCorrupt();
    const std::string_view v = m_in.substr(m_pos, n);
    m_pos += n;
    return v;
}

std::string compressBlock(const std::string &raw)
{
    std::string out(ZSTD_compressBound(raw.size()), '\0');
    const std::size_t n = ZSTD_compressCCtx(compressContext(), out.data(), out.size(), raw.data(), raw.size(), kZstdLevel);
    if (ZSTD_isError(n))
        throw std::runtime_error(ZSTD_getErrorName(n));
    out.resize(n);
    return out;
}

std::string decompressBlock(std::string_view block, std::string_view *packed)
{
    const unsigned long long size = ZSTD_getFrameContentSize(block.data(), block.size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > kMaxBlockBytes)
        throw ChunkCorrupt();
    const std::size_t frame = ZSTD_findFrameCompressedSize(block.data(), block.size());
    if (ZSTD_isError(frame) || (!packed && frame != block.size()))
        throw ChunkCorrupt();
    if (packed)
        *packed = block.substr(frame);
    std::string out(std::size_t(size), '\0');
    const std::size_t n = ZSTD_decompressDCtx(decompressContext(), out.data(), out.size(), block.data(), frame);
    if (ZSTD_isError(n) || n != size)
        throw ChunkCorrupt();
    return out;
}

} // namespace fg
