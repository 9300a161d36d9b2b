#include "sysloglistener.h"

#include <QDateTime>
#include <QNetworkDatagram>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUdpSocket>

#include "ingest/httpresponder.h"
#include "ingestroute.h"

namespace fg {

namespace {
constexpr int kPortAttempts = 20;
constexpr qint64 kTcpReadBuffer = 256 * 1024;
} // namespace

SyslogListener::SyslogListener(IngestRoute *route, Options options, QObject *parent)
    : QObject(parent), m_route(route), m_options(options), m_mailbox(std::make_shared<ThreadMailbox>(this))
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(m_options.flushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &SyslogListener::flush);
    m_sweepTimer.setInterval(5000);
    connect(&m_sweepTimer, &QTimer::timeout, this, &SyslogListener::sweep);
}

SyslogListener::~SyslogListener()
{
    m_mailbox->detach();
    flush(); // what arrived is handed to the store; its answer is not awaited
}

bool SyslogListener::listen(const QHostAddress &address, quint16 port, QString *error)
{
    for (int attempt = 0; attempt < (port == 0 ? kPortAttempts : 1); ++attempt) {
        delete m_tcp;
        delete m_udp;
        m_tcp = new QTcpServer(this);
        m_udp = new QUdpSocket(this);
        if (!m_tcp->listen(address, port)) {
            *error = m_tcp->errorString();
            continue;
        }
        // UDP on the port TCP got: one number to configure.
        if (!m_udp->bind(address, m_tcp->serverPort())) {
            *error = m_udp->errorString();
            continue;
        }
        m_port = m_tcp->serverPort();
        m_udp->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4 * 1024 * 1024);
        connect(m_udp, &QUdpSocket::readyRead, this, &SyslogListener::onDatagrams);
        connect(m_tcp, &QTcpServer::newConnection, this, &SyslogListener::onConnection);
        m_sweepTimer.start();
        return true;
    }
    delete m_tcp;
    delete m_udp;
    m_tcp = nullptr;
    m_udp = nullptr;
    return false;
}

void SyslogListener::onDatagrams()
{
    while (m_udp->hasPendingDatagrams()) {
        const qint64 size = m_udp->pendingDatagramSize();
        if (size < 0 || size > m_options.maxMessageBytes) {
            m_udp->readDatagram(nullptr, 0); // discards it
            m_dropped++;
            continue;
        }
        QByteArray datagram(size, Qt::Uninitialized);
        const qint64 got = m_udp->readDatagram(datagram.data(), size);
        if (got <= 0)
            continue;
        // The store is behind and this batch is full: a datagram more cannot be held.
        if (m_inflight >= m_options.maxInflight
            && (m_batchCount >= m_options.maxBatch || m_batch.size() >= m_options.maxBatchBytes)) {
            m_dropped++;
            continue;
        }
        add(datagram.constData(), got);
    }
}

void SyslogListener::onConnection()
{
    while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
        if (int(m_peers.size()) >= m_options.maxConnections) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        socket->setParent(this);
        socket->setReadBufferSize(kTcpReadBuffer);
        Peer peer;
        peer.framer = std::make_shared<SyslogFramer>(m_options.maxMessageBytes);
        peer.lastActivityMs = QDateTime::currentMSecsSinceEpoch();
        m_peers.insert(socket, std::move(peer));
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { readTcp(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            auto it = m_peers.find(socket);
            if (it == m_peers.end())
                return;
            it->disconnected = true;
            readTcp(socket); // what came before the close, now or once the store catches up
        });
    }
}

void SyslogListener::readTcp(QTcpSocket *socket)
{
    auto it = m_peers.find(socket);
    if (it == m_peers.end() || m_paused)
        return;
    it->lastActivityMs = QDateTime::currentMSecsSinceEpoch();
    const QByteArray bytes = socket->readAll();
    it->framer->append(bytes.constData(), bytes.size());
    QByteArray message;
    for (;;) {
        const SyslogFramer::Result result = it->framer->next(&message);
        if (result == SyslogFramer::Result::NeedMore)
            break;
        if (result != SyslogFramer::Result::Message) {
            // Framing lost or a message over the limit: the stream cannot be read on.
            m_dropped++;
            m_peers.erase(it);
            socket->abort();
            socket->deleteLater();
            return;
        }
        add(message.constData(), message.size());
        if (m_paused)
            return; // the rest waits in the framer and the socket until the store catches up
    }
    if (it->disconnected && socket->bytesAvailable() == 0) {
        m_peers.erase(it);
        socket->deleteLater();
    }
}

void SyslogListener::add(const char *data, qsizetype size)
{
    m_received++;
    m_batch += QByteArray::number(size);
    m_batch += ' ';
    m_batch.append(data, size);
    ++m_batchCount;
    if (m_batchCount >= m_options.maxBatch || m_batch.size() >= m_options.maxBatchBytes)
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void SyslogListener::flush()
{
    m_flushTimer.stop();
    if (m_batchCount == 0)
        return;
    if (m_inflight >= m_options.maxInflight) {
        setTcpPaused(true); // flushed again when a batch is answered
        return;
    }
    HttpRequest request;
    request.method = "POST";
    request.path = "/syslog";
    request.headers.emplace_back("content-type", "text/plain");
    request.body = std::move(m_batch);
    request.receivedAt = nowNs();
    const int count = m_batchCount;
    m_batch = QByteArray();
    m_batchCount = 0;
    ++m_inflight;
    // Answered on a decode worker, maybe after this listener is gone (shutdown): the listener is touched only
    // through its mailbox, which drops the post once the destructor has detached it.
    auto slot = std::make_shared<ResponseSlot>([this, box = m_mailbox, count](HttpResponse r) {
        // Not stored at all (overload, disk full): counted as dropped; refused messages are counted by the route.
        const bool lost = r.status >= 500 || r.status == 413;
        box->post([this, lost, count] {
            if (lost)
                m_dropped += count;
            --m_inflight;
            if (m_batchCount > 0)
                flush();
            if (m_inflight < m_options.maxInflight)
                setTcpPaused(false);
        });
    });
    m_route->handle(std::move(request), HttpResponder(slot, 1), reinterpret_cast<std::size_t>(this)); // batches in order
}

void SyslogListener::setTcpPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (paused)
        return;
    const QList<QTcpSocket *> sockets = m_peers.keys();
    for (QTcpSocket *s : sockets)
        QMetaObject::invokeMethod(this, [this, s] { readTcp(s); }, Qt::QueuedConnection);
}

void SyslogListener::sweep()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QList<QTcpSocket *> sockets = m_peers.keys();
    for (QTcpSocket *s : sockets)
        if (now - m_peers.find(s)->lastActivityMs > m_options.idleTimeoutMs) {
            m_peers.remove(s);
            s->abort();
            s->deleteLater();
        }
}

} // namespace fg
