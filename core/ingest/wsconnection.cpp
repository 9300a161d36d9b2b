#include "wsconnection.h"

#include <QSslSocket>
#include <QTimer>

#include "listenertls.h"

namespace fg {

namespace {
constexpr int kOpText = 1, kOpPing = 9, kOpPong = 10;
constexpr qint64 kReadBufferBytes = 256 * 1024;
constexpr int kCloseGraceMs = 2000;
} // namespace

WsConnection::WsConnection(QTcpSocket *socket, const WsLimits &limits, qint64 maxQueuedBytes, QObject *parent)
    : QObject(parent), m_socket(socket), m_reader(limits), m_maxQueued(maxQueuedBytes),
      m_mailbox(std::make_shared<ThreadMailbox>(this))
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(kReadBufferBytes);
    m_lastRead.start();
    connect(m_socket, &QTcpSocket::readyRead, this, &WsConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::stateChanged, this, [this](QAbstractSocket::SocketState state) {
        if (state == QAbstractSocket::UnconnectedState)
            emit closed();
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            emit closed();
    });
    const auto written = [this] {
        if (unsentBytes(*m_socket) == 0)
            m_queuedSince.invalidate();
    };
    // With TLS, bytesWritten comes when the bytes are encrypted, before they reach the socket underneath.
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket))
        connect(tls, &QSslSocket::encryptedBytesWritten, this, written);
    else
        connect(m_socket, &QTcpSocket::bytesWritten, this, written);
}

WsConnection::~WsConnection() { m_mailbox->detach(); }

bool WsConnection::queueFull() const { return unsentBytes(*m_socket) > m_maxQueued; }

bool WsConnection::sendDroppable(const QByteArray &text)
{
    if (m_closing)
        return true; // going away: nothing to send, and nothing dropped for being slow
    if (queueFull()) {
        ++m_dropped;
        return false;
    }
    write(wsFrame(kOpText, text));
    return true;
}

void WsConnection::sendReply(const QByteArray &text)
{
    if (!m_closing)
        write(wsFrame(kOpText, text));
}

void WsConnection::write(const QByteArray &frame)
{
    if (unsentBytes(*m_socket) == 0)
        m_queuedSince.start();
    m_socket->write(frame);
}

void WsConnection::ping()
{
    if (!m_closing)
        write(wsFrame(kOpPing, QByteArray()));
}

void WsConnection::closeWith(quint16 code, const QByteArray &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    write(wsCloseFrame(code, reason));
    m_socket->disconnectFromHost(); // after the close frame is written
    // A peer that never closes its side does not hold the socket.
    QTimer::singleShot(kCloseGraceMs, this, [this] {
        if (m_socket->state() != QAbstractSocket::UnconnectedState)
            m_socket->abort();
    });
}

void WsConnection::setReadPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused)
        QMetaObject::invokeMethod(this, &WsConnection::onReadyRead, Qt::QueuedConnection);
}

void WsConnection::feed(const QByteArray &bytes)
{
    m_reader.append(bytes);
    onReadyRead();
}

void WsConnection::onReadyRead()
{
    if (m_closing) {
        m_socket->readAll();
        return;
    }
    if (m_paused)
        return;
    m_lastRead.restart();
    m_reader.append(m_socket->readAll());
    // One message at a time: a handler may pause reading in between.
    while (!m_paused && !m_closing) {
        WsFrameReader::Event e = m_reader.next();
        switch (e.kind) {
        case WsFrameReader::Kind::NeedMore: return;
        case WsFrameReader::Kind::Text: emit textMessage(e.payload); break;
        case WsFrameReader::Kind::Binary: closeWith(1003, "send JSON text messages"); return;
        case WsFrameReader::Kind::Ping: write(wsFrame(kOpPong, e.payload)); break;
        case WsFrameReader::Kind::Pong: break;
        case WsFrameReader::Kind::Close: closeWith(1000, QByteArray()); return;
        case WsFrameReader::Kind::Error: closeWith(e.closeCode, e.reason); return;
        }
    }
}

} // namespace fg
