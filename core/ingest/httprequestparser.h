#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

#include "httplimits.h"
#include "httpmessage.h"

namespace fg {

// The HTTP/1.1 request framing of one connection as a pure state machine: bytes in, requests out (heads,
// Content-Length and chunked bodies, pipelining). No socket, clock or budget: HttpConnection adds those,
// and this is what the framing tests fragment byte by byte and the fuzzer drives.
class HttpRequestParser final {
public:
    enum class Status {
        Incomplete, // needs more bytes
        Head,       // request() holds all but the body; the caller admits it and calls startBody()
        Complete,   // request() is whole; takeRequest() and parse on for a pipelined one
        Bad,        // a framing error: answer error() and close the connection
        Refused,    // growth said no to a chunk (the caller has answered)
    };
    struct Error {
        int status = 0;
        QString message;
    };
    // Asked before a chunked body grows to `totalBytes`; false stops parsing with Refused.
    using BodyGrowth = std::function<bool(qint64 totalBytes)>;

    explicit HttpRequestParser(const HttpLimits &limits) : m_limits(limits) {}

    // Consumes from `in` what belongs to the current request, leaving what follows it.
    Status parse(QByteArray &in, const BodyGrowth &growth = {});
    // After Head: go on with the body. False (with error() 413) when its announced length is over the limit.
    bool startBody();
    HttpRequest &request() { return m_request; }
    const HttpRequest &request() const { return m_request; }
    // The complete request; the parser expects the next head.
    HttpRequest takeRequest();
    const Error &error() const { return m_error; }
    // Whether the connection stays open after this request (version and Connection header).
    bool keepAlive() const { return m_keepAlive; }
    bool inBody() const { return m_state == State::Body; }

private:
    enum class State { Head, HeadDone, Body, Done, Failed };
    Status parseHead(QByteArray &in);
    Status readBody(QByteArray &in, const BodyGrowth &growth);
    Status readChunked(QByteArray &in, const BodyGrowth &growth);
    Status fail(int status, const QString &message);

    HttpLimits m_limits;
    State m_state = State::Head;
    HttpRequest m_request;
    Error m_error;
    bool m_keepAlive = true;
    // -1: expecting a chunk-size line; -2: trailers; -3: the CRLF after chunk data; else bytes left in the chunk
    qint64 m_chunkRemaining = -1;
    qint64 m_trailerBytes = 0;
};

} // namespace fg
