#pragma once

#include <QByteArray>

namespace fg {

// Inflates gzip (and zlib) request bodies with a hard cap on the output, so a small compressed body
// cannot expand into unbounded memory.
class GzipInflater final {
public:
    enum class Result { Ok, TooLarge, Corrupt };
    // Appends padding bytes of spare capacity after the output for the JSON parser.
    static Result inflate(const QByteArray &in, qint64 maxOutput, QByteArray &out, qsizetype padding);
};

} // namespace fg
