#include "wsframes.h"

#include <QCryptographicHash>

namespace fg {

namespace {
constexpr int kOpContinuation = 0, kOpText = 1, kOpBinary = 2, kOpClose = 8, kOpPing = 9, kOpPong = 10;
constexpr int kMaxControlPayload = 125;
} // namespace

WsFrameReader::Event WsFrameReader::fail(quint16 code, const char *why)
{
    m_failed = true;
    m_in.clear();
    m_message.clear();
    Event e;
    e.kind = Kind::Error;
    e.closeCode = code;
    e.reason = why;
    return e;
}

WsFrameReader::Event WsFrameReader::next()
{
    for (;;) {
        if (m_failed)
            return fail(1002, "the stream already failed");
        if (m_in.size() < 2)
            return {};
        const auto *p = reinterpret_cast<const unsigned char *>(m_in.constData());
        const bool fin = p[0] & 0x80;
        const int rsv = p[0] & 0x70;
        const int opcode = p[0] & 0x0F;
        const bool masked = p[1] & 0x80;
        std::uint64_t len = p[1] & 0x7F;
        qsizetype header = 2;
        if (rsv)
            return fail(1002, "reserved bits set without a negotiated extension");
        if (!masked)
            return fail(1002, "client frames must be masked");
        if (len == 126) {
            if (m_in.size() < 4)
                return {};
            len = (std::uint64_t(p[2]) << 8) | p[3];
            header = 4;
        } else if (len == 127) {
            if (m_in.size() < 10)
                return {};
            len = 0;
            for (int i = 2; i < 10; ++i)
                len = (len << 8) | p[i];
            header = 10;
            if (len >> 63)
                return fail(1002, "frame length has its top bit set");
        }
        const bool control = opcode >= 8;
        if (control && (len > kMaxControlPayload || !fin))
            return fail(1002, "control frames carry at most 125 bytes and are not fragmented");
        if (opcode != kOpContinuation && opcode != kOpText && opcode != kOpBinary && !control)
            return fail(1002, "unknown opcode");
        if (control && opcode != kOpClose && opcode != kOpPing && opcode != kOpPong)
            return fail(1002, "unknown control opcode");
        if (len > std::uint64_t(m_limits.maxFrameBytes))
            return fail(1009, "frame is larger than the limit");
        if (!control && std::uint64_t(m_message.size()) + len > std::uint64_t(m_limits.maxMessageBytes))
            return fail(1009, "message is larger than the limit");
        if (opcode == kOpContinuation && m_messageOpcode == 0)
            return fail(1002, "continuation frame without a message under way");
        if ((opcode == kOpText || opcode == kOpBinary) && m_messageOpcode != 0)
            return fail(1002, "new message before the previous one ended");
        const qsizetype total = header + 4 + qsizetype(len);
        if (m_in.size() < total)
            return {};
        unsigned char mask[4];
        for (int i = 0; i < 4; ++i)
            mask[i] = p[header + i];
        QByteArray payload(m_in.constData() + header + 4, qsizetype(len));
        for (qsizetype i = 0; i < payload.size(); ++i)
            payload[i] = char(payload[i] ^ mask[i & 3]);
        m_in.remove(0, total);

        if (control) {
            Event e;
            if (opcode == kOpPing) {
                e.kind = Kind::Ping;
            } else if (opcode == kOpPong) {
                e.kind = Kind::Pong;
            } else {
                e.kind = Kind::Close;
                if (payload.size() == 1)
                    return fail(1002, "close frame with a one-byte payload");
                e.closeCode = payload.size() >= 2 ? quint16((quint8(payload[0]) << 8) | quint8(payload[1])) : 1005;
            }
            e.payload = std::move(payload);
            return e;
        }
        if (opcode != kOpContinuation)
            m_messageOpcode = opcode;
        m_message += payload;
        if (!fin)
            continue;
        Event e;
        e.kind = m_messageOpcode == kOpText ? Kind::Text : Kind::Binary;
        e.payload = std::move(m_message);
        m_message = QByteArray();
        m_messageOpcode = 0;
        if (e.kind == Kind::Text && !isValidUtf8(e.payload))
            return fail(1007, "text message is not valid UTF-8");
        return e;
    }
}

QByteArray wsFrame(int opcode, const QByteArray &payload)
{
    QByteArray out;
    out.reserve(payload.size() + 10);
    out.append(char(0x80 | (opcode & 0x0F)));
    const quint64 n = quint64(payload.size());
    if (n < 126) {
        out.append(char(n));
    } else if (n <= 0xFFFF) {
        out.append(char(126));
        out.append(char(n >> 8));
        out.append(char(n & 0xFF));
    } else {
        out.append(char(127));
        for (int i = 7; i >= 0; --i)
            out.append(char((n >> (8 * i)) & 0xFF));
    }
    out += payload;
    return out;
}

QByteArray wsCloseFrame(quint16 code, const QByteArray &reason)
{
    QByteArray payload;
    payload.append(char(code >> 8));
    payload.append(char(code & 0xFF));
    payload += reason.left(kMaxControlPayload - 2);
    return wsFrame(kOpClose, payload);
}

QByteArray wsAcceptKey(const QByteArray &clientKey)
{
    return QCryptographicHash::hash(clientKey.trimmed() + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", QCryptographicHash::Sha1)
        .toBase64();
}

bool isValidUtf8(const QByteArray &bytes)
{
    const auto *s = reinterpret_cast<const unsigned char *>(bytes.constData());
    const qsizetype n = bytes.size();
    for (qsizetype i = 0; i < n;) {
        const unsigned char c = s[i];
        int extra = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= n)
            return false;
        for (int k = 1; k <= extra; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10FFFF
            || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += extra + 1;
    }
    return true;
}

} // namespace fg
