#pragma once

#include <QByteArray>

#include <cstdint>

namespace fg {

// RFC 6455 frames as a server reads and writes them. Pure: bytes in, one event out; no socket, no Qt event
// loop, so it is tested alone with any fragmentation and driven by the fuzzer.
struct WsLimits {
    std::int64_t maxFrameBytes = 1024 * 1024;   // one frame's payload
    std::int64_t maxMessageBytes = 1024 * 1024; // a message reassembled from its fragments
};

class WsFrameReader final {
public:
    enum class Kind { NeedMore, Text, Binary, Ping, Pong, Close, Error };
    struct Event {
        Kind kind = Kind::NeedMore;
        QByteArray payload;   // the whole message (Text/Binary), or the control frame's payload
        quint16 closeCode = 0; // Close: the peer's code (1005 when none); Error: the code to close with
        QByteArray reason;     // Error: why
    };

    explicit WsFrameReader(const WsLimits &limits) : m_limits(limits) {}
    void append(const QByteArray &bytes) { m_in += bytes; }
    void append(const char *data, qsizetype size) { m_in.append(data, size); }
    // The next complete message or control frame from what was appended; NeedMore until one is whole.
    // After an Error the stream is unusable (the connection closes with its code).
    Event next();
    qsizetype buffered() const { return m_in.size() + m_message.size(); }

private:
    Event fail(quint16 code, const char *why);

    WsLimits m_limits;
    QByteArray m_in;
    QByteArray m_message;   // fragments of a data message so far
    int m_messageOpcode = 0; // 0: no fragmented message under way
    bool m_failed = false;
};

// One unmasked server frame (FIN set) with the given opcode (1 text, 2 binary, 8 close, 9 ping, 10 pong).
QByteArray wsFrame(int opcode, const QByteArray &payload);
QByteArray wsCloseFrame(quint16 code, const QByteArray &reason = {});
// Sec-WebSocket-Accept for a client's Sec-WebSocket-Key.
QByteArray wsAcceptKey(const QByteArray &clientKey);
// Whether bytes are valid UTF-8 (text messages must be).
bool isValidUtf8(const QByteArray &bytes);

} // namespace fg
