#include "httprequestparser.h"

#include <algorithm>

namespace fg {

namespace {
constexpr qsizetype kMaxChunkLine = 4096;
} // namespace

HttpRequestParser::Status HttpRequestParser::fail(int status, const QString &message)
{
    m_state = State::Failed;
    m_error = {status, message};
    return Status::Bad;
}

HttpRequestParser::Status HttpRequestParser::parse(QByteArray &in, const BodyGrowth &growth)
{
    switch (m_state) {
    case State::Head: return parseHead(in);
    case State::Body: return readBody(in, growth);
    case State::HeadDone: return Status::Head;
    case State::Done: return Status::Complete;
    case State::Failed: return Status::Bad;
    }
    return Status::Bad;
}

HttpRequestParser::Status HttpRequestParser::parseHead(QByteArray &in)
{
    while (in.startsWith("\r\n") || in.startsWith('\n'))
        in.remove(0, in.startsWith('\n') ? 1 : 2);
    if (in.isEmpty())
        return Status::Incomplete;
    // The head ends at the first empty line (CRLF or bare LF). Scan only as far as that: a body may
    // already follow in the buffer.
    qsizetype end = -1, bodyStart = 0;
    for (qsizetype lineStart = 0; lineStart < in.size() && lineStart <= m_limits.maxHeaderBytes;) {
        const qsizetype nl = in.indexOf('\n', lineStart);
        if (nl < 0)
            break;
        const qsizetype len = nl - lineStart;
        if (len == 0 || (len == 1 && in[lineStart] == '\r')) {
            end = lineStart;
            bodyStart = nl + 1;
            break;
        }
        lineStart = nl + 1;
    }
    if (end < 0 && in.size() <= m_limits.maxHeaderBytes)
        return Status::Incomplete;
    if (end < 0 || end > m_limits.maxHeaderBytes)
        return fail(431, QStringLiteral("request head is larger than %1 bytes").arg(m_limits.maxHeaderBytes));

    const QByteArray head = in.left(end);
    in.remove(0, bodyStart);
    m_request = HttpRequest();
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || requestLine[0].isEmpty() || !requestLine[1].startsWith('/'))
        return fail(400, QStringLiteral("malformed request line"));
    m_request.method = requestLine[0];
    m_request.target = requestLine[1];
    const QByteArray &version = requestLine[2];
    if (version == "HTTP/1.1")
        m_request.versionMinor = 1;
    else if (version == "HTTP/1.0")
        m_request.versionMinor = 0;
    else
        return fail(505, QStringLiteral("only HTTP/1.0 and HTTP/1.1 are supported"));
    const qsizetype q = m_request.target.indexOf('?');
    m_request.path = q < 0 ? m_request.target : m_request.target.left(q);
    m_request.query = q < 0 ? QByteArray() : m_request.target.mid(q + 1);

    m_keepAlive = m_request.versionMinor == 1;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines[i];
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        // Folded (obsolete) continuation lines are refused: RFC 9112 allows it, and it closes a smuggling door.
        if (colon <= 0 || line.startsWith(' ') || line.startsWith('\t'))
            return fail(400, QStringLiteral("malformed header line"));
        QByteArray name = line.left(colon).toLower();
        if (name.contains(' ') || name.contains('\t'))
            return fail(400, QStringLiteral("malformed header name"));
        QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            const qint64 len = value.toLongLong(&ok);
            // Digits only: toLongLong takes "+5" and " 5", which another parser in front may read otherwise.
            const bool digits = !value.isEmpty() && std::all_of(value.begin(), value.end(), [](char c) {
                return c >= '0' && c <= '9';
            });
            if (!ok || !digits || len < 0 || (m_request.contentLength >= 0 && m_request.contentLength != len))
                return fail(400, QStringLiteral("invalid Content-Length"));
            m_request.contentLength = len;
        } else if (name == "transfer-encoding") {
            if (value.toLower() != "chunked")
                return fail(501, QStringLiteral("unsupported Transfer-Encoding '%1'").arg(QString::fromLatin1(value)));
            m_request.chunked = true;
        } else if (name == "connection") {
            const QByteArray v = value.toLower();
            if (v.contains("close"))
                m_keepAlive = false;
            else if (v.contains("keep-alive"))
                m_keepAlive = true;
        }
        m_request.headers.emplace_back(std::move(name), std::move(value));
    }
    if (m_request.chunked && m_request.contentLength >= 0)
        return fail(400, QStringLiteral("both Content-Length and Transfer-Encoding given"));
    if (m_request.versionMinor == 1 && !m_request.hasHeader("host"))
        return fail(400, QStringLiteral("missing Host header"));
    m_state = State::HeadDone;
    return Status::Head;
}

bool HttpRequestParser::startBody()
{
    if (m_request.contentLength > m_limits.maxBodyBytes) {
        fail(413, QStringLiteral("body of %1 bytes is over the limit of %2 bytes")
                      .arg(m_request.contentLength)
                      .arg(m_limits.maxBodyBytes));
        return false;
    }
    m_chunkRemaining = -1;
    m_state = m_request.expectsBody() ? State::Body : State::Done;
    return true;
}

HttpRequest HttpRequestParser::takeRequest()
{
    HttpRequest r = std::move(m_request);
    m_request = HttpRequest();
    m_state = State::Head;
    return r;
}

HttpRequestParser::Status HttpRequestParser::readBody(QByteArray &in, const BodyGrowth &growth)
{
    if (m_request.chunked)
        return readChunked(in, growth);
    const qint64 need = m_request.contentLength - m_request.body.size();
    const qsizetype take = qsizetype(std::min<qint64>(need, in.size()));
    if (take > 0) {
        m_request.body.append(in.constData(), take);
        in.remove(0, take);
    }
    if (m_request.body.size() < m_request.contentLength)
        return Status::Incomplete;
    m_state = State::Done;
    return Status::Complete;
}

HttpRequestParser::Status HttpRequestParser::readChunked(QByteArray &in, const BodyGrowth &growth)
{
    for (;;) {
        if (m_chunkRemaining == -1 || m_chunkRemaining == -2) {
            const qsizetype nl = in.indexOf('\n');
            if (nl < 0)
                return in.size() > kMaxChunkLine ? fail(400, QStringLiteral("malformed chunked body"))
                                                 : Status::Incomplete;
            if (nl > kMaxChunkLine)
                return fail(400, QStringLiteral("malformed chunked body"));
            QByteArray line = in.left(nl).trimmed();
            in.remove(0, nl + 1);
            if (m_chunkRemaining == -2) { // trailers until an empty line, at most a head's worth
                if (line.isEmpty()) {
                    m_state = State::Done;
                    return Status::Complete;
                }
                if ((m_trailerBytes += nl + 1) > m_limits.maxHeaderBytes)
                    return fail(431, QStringLiteral("chunked trailers are larger than %1 bytes").arg(m_limits.maxHeaderBytes));
                continue;
            }
            const qsizetype semi = line.indexOf(';');
            if (semi >= 0)
                line.truncate(semi);
            line = line.trimmed();
            bool ok = false;
            const qint64 size = line.toLongLong(&ok, 16);
            if (!ok || size < 0 || line.startsWith('+') || line.startsWith('-') || line.size() > 15)
                return fail(400, QStringLiteral("malformed chunk size"));
            if (size == 0) {
                m_chunkRemaining = -2;
                m_trailerBytes = 0;
                continue;
            }
            if (m_request.body.size() + size > m_limits.maxBodyBytes)
                return fail(413, QStringLiteral("body is over the limit of %1 bytes").arg(m_limits.maxBodyBytes));
            if (growth && !growth(m_request.body.size() + size)) {
                m_state = State::Failed;
                return Status::Refused;
            }
            m_chunkRemaining = size;
        } else if (m_chunkRemaining == -3) { // CRLF (or a bare LF) after chunk data, and nothing else
            if (in.isEmpty() || in == "\r")
                return Status::Incomplete;
            const qsizetype eol = in.startsWith("\r\n") ? 2 : in.startsWith('\n') ? 1 : 0;
            if (eol == 0)
                return fail(400, QStringLiteral("malformed chunked body"));
            in.remove(0, eol);
            m_chunkRemaining = -1;
        } else {
            const qsizetype take = qsizetype(std::min<qint64>(m_chunkRemaining, in.size()));
            if (take == 0)
                return Status::Incomplete;
            m_request.body.append(in.constData(), take);
            in.remove(0, take);
            m_chunkRemaining -= take;
            if (m_chunkRemaining == 0)
                m_chunkRemaining = -3;
        }
    }
}

} // namespace fg
