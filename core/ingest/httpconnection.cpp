#include "httpconnection.h"

#include <sys/socket.h>

#include <QSslSocket>

#include "httpresponder.h"
#include "inflightbudget.h"
#include "listenertls.h"

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
      m_slot(std::make_shared<ResponseSlot>(this)), m_parser(limits)
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
    const auto written = [this] {
        m_lastActivity.restart();
        const qint64 unsent = unsentBytes(*m_socket);
        if (m_state == State::Closing && unsent == 0)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
        if (m_writeBlocked && unsent < kMaxUnsentBytes / 2) {
            m_writeBlocked = false;
            resume();
        }
    };
    // With TLS, bytesWritten comes when the bytes are encrypted, before they reach the socket underneath.
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket); tls && tls->mode() != QSslSocket::UnencryptedMode)
        connect(tls, &QSslSocket::encryptedBytesWritten, this, written);
    else
        connect(m_socket, &QTcpSocket::bytesWritten, this, written);
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
        const qint64 received = m_parser.request().body.size() + m_in.size();
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
    HttpRequest &request = m_parser.request();
    if (m_state == State::Body && !request.chunked && m_in.isEmpty()) {
        // Straight from the socket into the body buffer: no intermediate copy for large bodies.
        const qint64 need = request.contentLength - request.body.size();
        const qint64 avail = std::min(need, m_socket->bytesAvailable());
        if (avail > 0) {
            const qsizetype old = request.body.size();
            request.body.resize(old + avail);
            const qint64 got = m_socket->read(request.body.data() + old, avail);
            request.body.resize(old + std::max<qint64>(got, 0));
        }
    } else {
        m_in += m_socket->readAll();
    }
    process();
}

void HttpConnection::process()
{
    const HttpRequestParser::BodyGrowth growth = [this](qint64 total) {
        while (total * kReserveFactor > m_reserved)
            if (!reserve(kChunkReserveStep))
                return false;
        return true;
    };
    for (;;) {
        switch (m_parser.parse(m_in, growth)) {
        case HttpRequestParser::Status::Incomplete:
        case HttpRequestParser::Status::Refused:
            return;
        case HttpRequestParser::Status::Bad:
            refuse(m_parser.error().status, m_parser.error().message);
            return;
        case HttpRequestParser::Status::Head:
            if (!admitHead())
                return;
            break;
        case HttpRequestParser::Status::Complete:
            dispatch();
            return;
        }
    }
}

bool HttpConnection::admitHead()
{
    HttpRequest &request = m_parser.request();
    request.receivedAt = nowNs();
    request.peer = m_peer;
    m_keepAlive = m_parser.keepAlive();
    if (auto early = m_handler->admit(request)) {
        // Refused before the body: keep the connection only if there is no body to skip.
        const bool close = request.expectsBody() || early->close;
        writeResponse(*early, !close);
        if (close) {
            m_state = State::Closing;
            return false;
        }
        m_parser.takeRequest();
        return true;
    }
    if (!m_parser.startBody()) {
        refuse(m_parser.error().status, m_parser.error().message);
        return false;
    }
    if (request.contentLength > 0 && !reserve(request.contentLength * kReserveFactor))
        return false;
    if (request.expectsBody() && request.versionMinor == 1 && request.header("expect").toLower() == "100-continue")
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    if (!request.expectsBody() && request.hasHeader("upgrade") && m_handler->takeUpgrade(request, m_socket, m_in)) {
        // The socket now belongs to the upgrade's handler; this connection only goes away.
        m_socket->disconnect(this);
        m_socket = nullptr;
        m_in.clear();
        m_state = State::Closing;
        emit finished();
        return false;
    }
    if (!request.expectsBody()) {
        dispatch();
        return false;
    }
    if (request.contentLength > 0)
        request.body.reserve(request.contentLength + kBodyPadding);
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

void HttpConnection::dispatch()
{
    m_state = State::Waiting;
    HttpRequest request = m_parser.takeRequest();
    request.body.reserve(request.body.size() + kBodyPadding);
    HttpHeaders extra = std::move(request.responseHeaders);
    m_handler->handle(std::move(request), HttpResponder(m_slot, ++m_seq, std::move(extra)));
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
    if (unsentBytes(*m_socket) > kMaxUnsentBytes) {
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
