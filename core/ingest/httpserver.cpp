#include "httpserver.h"

#include <QSslSocket>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpconnection.h"
#include "httpresponder.h"

namespace fg {

namespace {
constexpr int kAcceptBackoffMs = 100;
} // namespace

int raiseOpenFileLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1024;
    const rlim_t wanted = std::min<rlim_t>(limit.rlim_max, 65536);
    if (limit.rlim_cur < wanted) {
        limit.rlim_cur = wanted;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur == RLIM_INFINITY ? 65536 : int(std::min<rlim_t>(limit.rlim_cur, 1 << 30));
}

HttpServer::HttpServer(RequestHandler *handler, InflightBudget *budget, const HttpLimits &limits, QObject *parent)
    : QTcpServer(parent), m_handler(handler), m_budget(budget), m_limits(limits),
      m_reserveFd(::open("/dev/null", O_RDONLY | O_CLOEXEC))
{
    setMaxPendingConnections(256);
    m_sweepTimer.setInterval(1000);
    connect(&m_sweepTimer, &QTimer::timeout, this, &HttpServer::sweep);
    m_sweepTimer.start();
    connect(this, &QTcpServer::acceptError, this, &HttpServer::onAcceptError);
}

HttpServer::~HttpServer()
{
    for (auto it = m_handshakes.cbegin(); it != m_handshakes.cend(); ++it) {
        it.key()->disconnect(this);
        delete it.key();
    }
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it)
        delete it.key();
    if (m_reserveFd >= 0)
        ::close(m_reserveFd);
}

void HttpServer::enableTls(const QSslConfiguration &config, std::atomic<std::int64_t> *handshakeFailures)
{
    m_tls = config;
    m_handshakeFailures = handshakeFailures;
}

void HttpServer::refuseConnection(QTcpSocket *socket, const QString &message)
{
    if (m_tls) {
        // A plain answer means nothing to a TLS client, and a handshake would cost what the cap saves.
        socket->abort();
        delete socket;
        return;
    }
    HttpResponse busy = m_handler->transportError(503, message);
    if (!busy.hasHeader("retry-after"))
        busy.headers.emplace_back("Retry-After", "1");
    socket->write(busy.serialize(false));
    socket->disconnectFromHost();
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
}

void HttpServer::incomingConnection(qintptr descriptor)
{
    QTcpSocket *socket = m_tls ? new QSslSocket : new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (connectionCount() >= m_limits.maxConnections)
        return refuseConnection(socket, QStringLiteral("too many connections"));
    const QHostAddress peer = socket->peerAddress();
    int &fromPeer = m_perAddress[peer];
    if (fromPeer >= m_limits.maxConnectionsPerAddress) {
        if (fromPeer == 0)
            m_perAddress.remove(peer);
        return refuseConnection(socket, QStringLiteral("too many connections from %1").arg(peer.toString()));
    }
    ++fromPeer;
    if (m_tls)
        startHandshake(static_cast<QSslSocket *>(socket), peer);
    else
        (void)serve(socket, peer);
}

HttpConnection *HttpServer::serve(QTcpSocket *socket, const QHostAddress &peer)
{
    auto *conn = new HttpConnection(socket, m_handler, m_budget, m_limits, this);
    m_connections.insert(conn, peer);
    connect(conn, &HttpConnection::finished, this, [this, conn] { drop(conn); });
    return conn;
}

void HttpServer::startHandshake(QSslSocket *socket, const QHostAddress &peer)
{
    Handshake &h = m_handshakes[socket];
    h.peer = peer;
    h.since.start();
    connect(socket, &QSslSocket::encrypted, this, [this, socket] { endHandshake(socket, HandshakeEnd::Encrypted); });
    // A bad ClientHello, an old protocol version or a client that gives up: closed unanswered.
    connect(socket, &QSslSocket::errorOccurred, this, [this, socket] { endHandshake(socket, HandshakeEnd::Failed); });
    connect(socket, &QSslSocket::disconnected, this, [this, socket] { endHandshake(socket, HandshakeEnd::Failed); });
    socket->setSslConfiguration(*m_tls);
    // The handshake starts once the first byte shows a TLS record; until then the socket stays unencrypted,
    // and peek() leaves the bytes for the handshake to read.
    connect(socket, &QSslSocket::readyRead, this, [this, socket] { onFirstBytes(socket); });
}

void HttpServer::onFirstBytes(QSslSocket *socket)
{
    if (socket->mode() != QSslSocket::UnencryptedMode)
        return;
    char first = 0;
    if (socket->peek(&first, 1) != 1)
        return;
    constexpr char kTlsHandshakeRecord = 0x16;
    if (first == kTlsHandshakeRecord)
        return socket->startServerEncryption();
    // A request line starts with a method token: most likely http:// where https:// was meant.
    const bool letter = (first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z');
    endHandshake(socket, letter ? HandshakeEnd::PlainHttp : HandshakeEnd::Failed);
}

void HttpServer::endHandshake(QSslSocket *socket, HandshakeEnd end)
{
    const auto it = m_handshakes.find(socket);
    if (it == m_handshakes.end())
        return;
    const QHostAddress peer = it->peer;
    m_handshakes.erase(it);
    socket->disconnect(this);
    if (end == HandshakeEnd::Encrypted)
        return (void)serve(socket, peer);
    // Counted, not logged: anyone can cause these, as often as they like.
    if (end != HandshakeEnd::Shutdown && m_handshakeFailures)
        ++*m_handshakeFailures;
    if (end == HandshakeEnd::PlainHttp) {
        // Answered in plain text, which is what such a client reads, then closed like any refused request.
        serve(socket, peer)->refuseAndClose(
            400, QStringLiteral("this port speaks HTTPS only: use https:// (or wss://) instead of http:// (or ws://)"));
        return;
    }
    releaseAddress(peer);
    socket->abort();
    socket->deleteLater();
}

void HttpServer::releaseAddress(const QHostAddress &peer)
{
    const auto it = m_perAddress.find(peer);
    if (it != m_perAddress.end() && --it.value() <= 0)
        m_perAddress.erase(it);
}

void HttpServer::drop(HttpConnection *connection)
{
    const auto it = m_connections.find(connection);
    if (it == m_connections.end())
        return;
    releaseAddress(it.value());
    m_connections.erase(it);
    connection->deleteLater();
}

void HttpServer::onAcceptError(QAbstractSocket::SocketError error)
{
    // Out of descriptors (EMFILE/ENFILE) QTcpServer pauses accepting. Shed what waits in the backlog with
    // the reserve descriptor, so that clients are refused at once instead of hanging, then resume after a
    // pause rather than spinning on an accept that cannot succeed.
    if (error == QAbstractSocket::SocketResourceError && m_reserveFd >= 0) {
        ::close(m_reserveFd);
        for (int i = 0; i < 64; ++i) {
            const int fd = ::accept4(int(socketDescriptor()), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0)
                break;
            ::close(fd);
        }
        m_reserveFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    QTimer::singleShot(kAcceptBackoffMs, this, [this] {
        if (isListening())
            resumeAccepting();
    });
}

void HttpServer::beginShutdown()
{
    close();
    for (QSslSocket *socket : m_handshakes.keys())
        endHandshake(socket, HandshakeEnd::Shutdown);
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it)
        it.key()->closeGracefully();
}

int HttpServer::busyConnections() const
{
    int n = 0;
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it)
        n += it.key()->awaitingResponse() ? 1 : 0;
    return n;
}

void HttpServer::sweep()
{
    // Near the cap, idle keep-alive connections make room sooner.
    const bool pressed = connectionCount() * 4 > m_limits.maxConnections * 3;
    const int idleMs = pressed ? std::min(m_limits.idleTimeoutMs, m_limits.pressureIdleTimeoutMs) : m_limits.idleTimeoutMs;
    // A TLS handshake has the time a request head has: a client that connects and stays silent, or
    // trickles its ClientHello, holds its slot no longer than one that trickles a head.
    const int headMs = pressed ? std::min(m_limits.headerTimeoutMs, m_limits.pressureHeaderTimeoutMs) : m_limits.headerTimeoutMs;
    for (QSslSocket *socket : m_handshakes.keys())
        if (m_handshakes.value(socket).since.elapsed() > headMs)
            endHandshake(socket, HandshakeEnd::Failed);
    const QList<HttpConnection *> all = m_connections.keys();
    for (HttpConnection *c : all) {
        if (c->enforceDeadlines(pressed))
            continue; // answered 408; it closes after its lingering close
        if (c->isIdleFor(idleMs))
            drop(c);
    }
}

} // namespace fg
