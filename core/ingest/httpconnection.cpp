#include "httpconnection.h"

#include <sys/socket.h>

#include <QTcpSocket>

#include "httpresponder.h"
#include "inflightbudget.h"

namespace fg {

namespace {
// Spare capacity after a body for parsers that read ahead (simdjson needs 64 bytes).
constexpr qsizetype kBodyPadding = 64;
// A body is held twice at its peak: the raw bytes and the records decoded from them.
constexpr qint64 kReserveFactor = 2;
constexpr qint64 kChunkReserveStep = 256 * 1024;
constexpr qint64 kLingerMs = 2000;
// Answers waiting in the socket for a client that does not read them: past this, pipelined requests
// wait too (answers are not piled up in memory).
constexpr qint64 kMaxUnsentBytes = 4 * 1024 * 1024;

} // namespace

void ResponseSlot::send(quint64 requestSeq, HttpResponse response)
{
    std::lock_guard lock(m_mutex);
    if (m_sink) {
        m_sink(std::move(response));
        m_sink = nullptr; // one response per request
        return;
    }
    if (!m_connection)
        return;
    // Posted events to a deleted receiver are discarded by Qt, and the connection detaches this slot
    // (under the same mutex) before it can be deleted.
    HttpConnection *conn = m_connection;
    QMetaObject::invokeMethod(
        conn, [conn, requestSeq, r = std::move(response)]() mutable { conn->deliver(requestSeq, std::move(r)); },
        Qt::QueuedConnection);
}

HttpConnection::HttpConnection(QTcpSocket *socket, RequestHandler *handler, InflightBudget *budget,
                               const HttpLimits &limits, QObject *parent)
    : QObject(parent), m_socket(socket), m_peer(socket->peerAddress()), m_handler(handler), m_budget(budget), m_limits(limits),
      m_slot(std::make_shared<ResponseSlot>(this))
{
    m_socket->setParent(this);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // Bounded socket buffer: while we do not read (a response is pending), TCP pushes back on the client.
    m_socket->setReadBufferSize(1024 * 1024);
    m_lastActivity.start();
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::finished);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            emit finished();
    });
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        m_lastActivity.restart();
        if (m_state == State::Closing && m_socket->bytesToWrite() == 0)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
        if (m_writeBlocked && m_socket->bytesToWrite() < kMaxUnsentBytes / 2) {
            m_writeBlocked = false;
            resume();
        }
    });
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &HttpConnection::onReadyRead, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    m_slot->detach();
    releaseReservation();
}

bool HttpConnection::isIdleFor(qint64 ms) const
{
    switch (m_state) {
    case State::Waiting: return false;
    case State::Closing: return m_lastActivity.elapsed() > kLingerMs;
    default: return m_lastActivity.elapsed() > ms;
    }
}

bool HttpConnection::enforceDeadlines(bool pressed)
{
    if (!m_phaseStart.isValid())
        return false;
    const qint64 elapsed = m_phaseStart.elapsed();
    const int headMs = pressed ? std::min(m_limits.headerTimeoutMs, m_limits.pressureHeaderTimeoutMs) : m_limits.headerTimeoutMs;
    if (m_state == State::Head && !m_in.isEmpty() && !m_writeBlocked && elapsed > headMs) {
        refuse(408, QStringLiteral("the request head did not arrive within %1 s").arg(double(headMs) / 1000));
        return true;
    }
    if (m_state == State::Body && elapsed > m_limits.bodyGraceMs) {
        const qint64 received = m_request.body.size() + m_in.size();
        if (received * 1000 < qint64(m_limits.minBodyBytesPerSec) * elapsed) {
            refuse(408, QStringLiteral("the request body arrived slower than %1 bytes/s").arg(m_limits.minBodyBytesPerSec));
            return true;
        }
    }
    return false;
}

void HttpConnection::closeGracefully()
{
    m_draining = true;
    if (m_state == State::Head && m_in.isEmpty())
        m_socket->disconnectFromHost();
}

void HttpConnection::onReadyRead()
{
    m_lastActivity.restart();
    if (m_state == State::Closing) {
        m_socket->readAll(); // lingering close: discard what the client still sends
        return;
    }
    if (m_state == State::Waiting || m_writeBlocked)
        return;
    if (m_state == State::Head && m_in.isEmpty())
        m_phaseStart.restart();
    if (m_state == State::Body && !m_request.chunked && m_in.isEmpty()) {
        // Straight from the socket into the body buffer: no intermediate copy for large bodies.
        const qint64 need = m_request.contentLength - m_request.body.size();
        const qint64 avail = std::min(need, m_socket->bytesAvailable());
        if (avail > 0) {
            const qsizetype old = m_request.body.size();
            m_request.body.resize(old + avail);
            const qint64 got = m_socket->read(m_request.body.data() + old, avail);
            m_request.body.resize(old + std::max<qint64>(got, 0));
        }
    } else {
        m_in += m_socket->readAll();
    }
    process();
}

void HttpConnection::process()
{
    for (;;) {
        if (m_state == State::Head) {
            while (m_in.startsWith("\r\n"))
                m_in.remove(0, 2);
            if (m_in.isEmpty())
                return;
            // The head ends at the first empty line (CRLF or bare LF). Scan only as far as that: a body
            // may already follow in the buffer.
            qsizetype end = -1, bodyStart = 0;
            for (qsizetype lineStart = 0; lineStart < m_in.size() && lineStart <= m_limits.maxHeaderBytes;) {
                const qsizetype nl = m_in.indexOf('\n', lineStart);
                if (nl < 0)
                    break;
                const qsizetype len = nl - lineStart;
                if (len == 0 || (len == 1 && m_in[lineStart] == '\r')) {
                    end = lineStart;
                    bodyStart = nl + 1;
                    break;
                }
                lineStart = nl + 1;
            }
            if (end < 0) {
                if (m_in.size() > m_limits.maxHeaderBytes)
                    refuse(431, QStringLiteral("request head is larger than %1 bytes").arg(m_limits.maxHeaderBytes));
                return;
            }
            if (end > m_limits.maxHeaderBytes) {
                refuse(431, QStringLiteral("request head is larger than %1 bytes").arg(m_limits.maxHeaderBytes));
                return;
            }
            if (!parseHead(end, bodyStart))
                return;
        } else if (m_state == State::Body) {
            if (!readBody())
                return;
            dispatch();
            return;
        } else {
            return;
        }
    }
}

bool HttpConnection::parseHead(qsizetype headEnd, qsizetype bodyStart)
{
    const QByteArray head = m_in.left(headEnd);
    m_in.remove(0, bodyStart);
    m_request = HttpRequest();
    m_request.receivedAt = nowNs();
    m_request.peer = m_peer;
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || requestLine[0].isEmpty() || !requestLine[1].startsWith('/')) {
        refuse(400, QStringLiteral("malformed request line"));
        return false;
    }
    m_request.method = requestLine[0];
    m_request.target = requestLine[1];
    const QByteArray &version = requestLine[2];
    if (version == "HTTP/1.1")
        m_request.versionMinor = 1;
    else if (version == "HTTP/1.0")
        m_request.versionMinor = 0;
    else {
        refuse(505, QStringLiteral("only HTTP/1.0 and HTTP/1.1 are supported"));
        return false;
    }
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
        if (colon <= 0 || line.startsWith(' ') || line.startsWith('\t')) {
            refuse(400, QStringLiteral("malformed header line"));
            return false;
        }
        QByteArray name = line.left(colon).toLower();
        if (name.contains(' ')) {
            refuse(400, QStringLiteral("malformed header name"));
            return false;
        }
        QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "content-length") {
            bool ok = false;
            const qint64 len = value.toLongLong(&ok);
            if (!ok || len < 0 || (m_request.contentLength >= 0 && m_request.contentLength != len)) {
                refuse(400, QStringLiteral("invalid Content-Length"));
                return false;
            }
            m_request.contentLength = len;
        } else if (name == "transfer-encoding") {
            if (value.toLower() != "chunked") {
                refuse(501, QStringLiteral("unsupported Transfer-Encoding '%1'").arg(QString::fromLatin1(value)));
                return false;
            }
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
    if (m_request.chunked && m_request.contentLength >= 0) {
        refuse(400, QStringLiteral("both Content-Length and Transfer-Encoding given"));
        return false;
    }
    if (m_request.versionMinor == 1 && !m_request.hasHeader("host")) {
        refuse(400, QStringLiteral("missing Host header"));
        return false;
    }

    if (auto early = m_handler->admit(m_request)) {
        // Refused before the body: keep the connection only if there is no body to skip.
        const bool close = m_request.expectsBody() || early->close;
        writeResponse(*early, !close);
        if (close) {
            m_state = State::Closing;
            return false;
        }
        return true;
    }
    if (m_request.contentLength > m_limits.maxBodyBytes) {
        refuse(413, QStringLiteral("body of %1 bytes is over the limit of %2 bytes")
                        .arg(m_request.contentLength)
                        .arg(m_limits.maxBodyBytes));
        return false;
    }
    if (m_request.contentLength > 0 && !reserve(m_request.contentLength * kReserveFactor))
        return false;
    if (m_request.expectsBody() && m_request.versionMinor == 1
        && m_request.header("expect").toLower() == "100-continue")
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    if (!m_request.expectsBody() && m_request.hasHeader("upgrade") && m_handler->takeUpgrade(m_request, m_socket, m_in)) {
        // The socket now belongs to the upgrade's handler; this connection only goes away.
        m_socket->disconnect(this);
        m_socket = nullptr;
        m_in.clear();
        m_state = State::Closing;
        emit finished();
        return false;
    }
    if (!m_request.expectsBody()) {
        dispatch();
        return false;
    }
    if (m_request.contentLength > 0)
        m_request.body.reserve(m_request.contentLength + kBodyPadding);
    m_chunkRemaining = -1;
    m_state = State::Body;
    m_phaseStart.restart();
    return true;
}

bool HttpConnection::reserve(qint64 bytes)
{
    if (!m_budget->tryReserve(bytes)) {
        refuse(503, QStringLiteral("ingest is at capacity (%1 bytes in flight); retry shortly").arg(m_budget->used()));
        return false;
    }
    m_reserved += bytes;
    return true;
}

bool HttpConnection::readBody()
{
    if (m_request.chunked)
        return readChunked();
    const qint64 need = m_request.contentLength - m_request.body.size();
    const qsizetype take = qsizetype(std::min<qint64>(need, m_in.size()));
    if (take > 0) {
        m_request.body.append(m_in.constData(), take);
        m_in.remove(0, take);
    }
    return m_request.body.size() == m_request.contentLength;
}

bool HttpConnection::readChunked()
{
    for (;;) {
        if (m_chunkRemaining == -1 || m_chunkRemaining == -2) {
            const qsizetype nl = m_in.indexOf('\n');
            if (nl < 0) {
                if (m_in.size() > 4096)
                    refuse(400, QStringLiteral("malformed chunked body"));
                return false;
            }
            QByteArray line = m_in.left(nl).trimmed();
            m_in.remove(0, nl + 1);
            if (m_chunkRemaining == -2) { // trailers until an empty line
                if (line.isEmpty())
                    return true;
                continue;
            }
            const qsizetype semi = line.indexOf(';');
            if (semi >= 0)
                line.truncate(semi);
            bool ok = false;
            const qint64 size = line.trimmed().toLongLong(&ok, 16);
            if (!ok || size < 0) {
                refuse(400, QStringLiteral("malformed chunk size"));
                return false;
            }
            if (size == 0) {
                m_chunkRemaining = -2;
                continue;
            }
            if (m_request.body.size() + size > m_limits.maxBodyBytes) {
                refuse(413, QStringLiteral("body is over the limit of %1 bytes").arg(m_limits.maxBodyBytes));
                return false;
            }
            while ((m_request.body.size() + size) * kReserveFactor > m_reserved)
                if (!reserve(kChunkReserveStep))
                    return false;
            m_chunkRemaining = size;
        } else if (m_chunkRemaining == -3) { // CRLF after chunk data
            const qsizetype nl = m_in.indexOf('\n');
            if (nl < 0)
                return false;
            m_in.remove(0, nl + 1);
            m_chunkRemaining = -1;
        } else {
            const qsizetype take = qsizetype(std::min<qint64>(m_chunkRemaining, m_in.size()));
            if (take == 0)
                return false;
            m_request.body.append(m_in.constData(), take);
            m_in.remove(0, take);
            m_chunkRemaining -= take;
            if (m_chunkRemaining == 0)
                m_chunkRemaining = -3;
        }
    }
}

void HttpConnection::dispatch()
{
    m_state = State::Waiting;
    m_request.body.reserve(m_request.body.size() + kBodyPadding);
    HttpHeaders extra = std::move(m_request.responseHeaders);
    m_handler->handle(std::move(m_request), HttpResponder(m_slot, ++m_seq, std::move(extra)));
    m_request = HttpRequest();
}

void HttpConnection::deliver(quint64 requestSeq, HttpResponse response)
{
    if (requestSeq != m_seq || m_state != State::Waiting)
        return;
    const bool keepAlive = m_keepAlive && !response.close && !m_draining;
    writeResponse(response, keepAlive);
    releaseReservation();
    if (!keepAlive) {
        m_state = State::Closing;
        return;
    }
    m_state = State::Head;
    m_phaseStart.restart(); // a pipelined head already buffered has its own deadline from now
    if (m_socket->bytesToWrite() > kMaxUnsentBytes) {
        m_writeBlocked = true; // resumed once the client has read most of it
        return;
    }
    resume();
}

void HttpConnection::resume()
{
    if (!m_in.isEmpty())
        process();
    if (m_state == State::Head || m_state == State::Body)
        onReadyRead();
}

void HttpConnection::refuse(int status, const QString &message, bool close)
{
    HttpResponse r = m_handler->transportError(status, message);
    if (status == 503 && !r.hasHeader("retry-after"))
        r.headers.emplace_back("Retry-After", "1");
    writeResponse(r, !close);
    releaseReservation();
    m_state = close ? State::Closing : State::Head;
}

void HttpConnection::writeResponse(const HttpResponse &response, bool keepAlive)
{
    m_socket->write(response.serialize(keepAlive));
    m_lastActivity.restart();
    if (!keepAlive) {
        m_state = State::Closing;
        m_in.clear();
    }
}

void HttpConnection::releaseReservation()
{
    if (m_reserved) {
        m_budget->release(m_reserved);
        m_reserved = 0;
    }
}

} // namespace fg
