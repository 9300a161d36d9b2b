#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

// Byte-level pieces shared by the log and metric chunk codecs: varints, a bounds-checked reader and zstd
// blocks.
namespace fg {

// Thrown when a stored block cannot be decoded (a damaged file).
class ChunkCorrupt final : public std::runtime_error {
public:
    ChunkCorrupt() : std::runtime_error("damaged chunk in the database") {}
};

// No block of a chunk decompresses to more than this (a chunk holds at most a few thousand events, each
// bounded by ingest): a damaged size field must not allocate gigabytes.
constexpr std::size_t kMaxBlockBytes = 512u << 20;

void putVarint(std::string &out, std::uint64_t v);
inline std::uint64_t zigzag(std::int64_t v) { return (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63); }
inline std::int64_t unzigzag(std::uint64_t v) { return std::int64_t(v >> 1) ^ -std::int64_t(v & 1); }

// Reads what putVarint and plain bytes wrote; throws ChunkCorrupt past the end.
class ByteReader {
public:
    explicit ByteReader(std::string_view in) : m_in(in) {}
    std::uint64_t varint();
    bool atEnd() const { return m_pos == m_in.size(); }
    std::string_view bytes(std::size_t n);

private:
    std::string_view m_in;
    std::size_t m_pos = 0;
};

// One zstd frame at the fast level (the writer compresses everything once, on its thread).
std::string compressBlock(const std::string &raw);
// A block is one zstd frame, optionally followed by bytes stored as they are (`packed` gets those; without
// it the frame must be the whole block). Refuses frames that claim more than a chunk can hold.
std::string decompressBlock(std::string_view block, std::string_view *packed = nullptr);

} // namespace fg
