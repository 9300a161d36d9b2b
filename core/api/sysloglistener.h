#pragma once

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

#include "ingest/syslogmessage.h"
#include "ingest/threadmailbox.h"

class QTcpServer;
class QTcpSocket;
class QUdpSocket;

namespace fg {

class IngestRoute;

// Syslog over UDP (a message a datagram) and TCP (RFC 6587 octet counting or LF framing) on one port, on
// the listener thread. Messages are gathered for up to kFlushMs (or kMaxBatch messages) and stored through
// the syslog ingest route like any HTTP body. Bounded: message size, TCP connections, idle time, and
// batches in flight; while the store is behind, TCP senders are not read (TCP pushes back) and UDP
// datagrams past the pending batch are dropped and counted. Syslog has no acknowledgement.
class SyslogListener final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SyslogListener)

public:
    struct Options {
        qsizetype maxMessageBytes = 64 * 1024;
        int maxConnections = 64;
        int idleTimeoutMs = 300'000;
        int flushMs = 50;
        int maxBatch = 2000;
        qsizetype maxBatchBytes = 1024 * 1024;
        int maxInflight = 4; // batches handed to the store and not yet answered
    };
    SyslogListener(IngestRoute *route, Options options, QObject *parent = nullptr);
    ~SyslogListener() override;

    // port 0: any free port (the same for UDP and TCP).
    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const { return m_port; }
    qint64 dropped() const { return m_dropped.load(std::memory_order_relaxed); }
    qint64 received() const { return m_received.load(std::memory_order_relaxed); }

private:
    struct Peer {
        std::shared_ptr<SyslogFramer> framer; // shared: QHash values are copyable
        qint64 lastActivityMs = 0;
        bool disconnected = false; // the sender closed; kept until what it sent is stored
    };
    void onDatagrams();
    void onConnection();
    void readTcp(QTcpSocket *socket);
    void add(const char *data, qsizetype size);
    void flush();
    void setTcpPaused(bool paused);
    void sweep();

    IngestRoute *m_route;
    Options m_options;
    QUdpSocket *m_udp = nullptr;
    QTcpServer *m_tcp = nullptr;
    QHash<QTcpSocket *, Peer> m_peers;
    QByteArray m_batch; // octet-counted frames
    int m_batchCount = 0;
    int m_inflight = 0;
    bool m_paused = false;
    quint16 m_port = 0;
    QTimer m_flushTimer;
    QTimer m_sweepTimer;
    std::atomic<qint64> m_dropped{0};
    std::atomic<qint64> m_received{0};
    std::shared_ptr<ThreadMailbox> m_mailbox;
};

} // namespace fg
