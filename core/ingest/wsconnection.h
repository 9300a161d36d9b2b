#pragma once

#include <QElapsedTimer>
#include <QObject>

#include <memory>

#include "threadmailbox.h"
#include "wsframes.h"

class QTcpSocket;

namespace fg {

// One WebSocket client after the upgrade, on the listener thread: reads frames (bounded by WsLimits),
// answers pings and the close handshake, and writes text messages. What it sends waits in the socket's
// write buffer; droppable messages (live data) are refused once that holds more than maxQueuedBytes, so a
// client that does not read costs a bounded amount of memory and never slows anyone else.
class WsConnection final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WsConnection)

public:
    WsConnection(QTcpSocket *socket, const WsLimits &limits, qint64 maxQueuedBytes, QObject *parent);
    ~WsConnection() override;

    // Live data: false (and counted) when the client's queue is full.
    bool sendDroppable(const QByteArray &text);
    // Replies (acks, errors): always queued; their number is bounded by the caller's in-flight window.
    void sendReply(const QByteArray &text);
    void closeWith(quint16 code, const QByteArray &reason);
    // Stops reading (TCP then pushes back on the client) while its earlier messages are not yet answered.
    void setReadPaused(bool paused);
    bool queueFull() const;
    qint64 dropped() const { return m_dropped; }
    // Since when messages wait unsent without the queue ever emptying, once some were dropped: a client
    // that reads drains its queue now and then.
    qint64 stalledForMs() const { return m_dropped > 0 && m_queuedSince.isValid() ? m_queuedSince.elapsed() : 0; }
    qint64 idleForMs() const { return m_lastRead.elapsed(); }
    void ping();
    // Bytes read past the upgrade request's head, before the connection existed.
    void feed(const QByteArray &bytes);
    // For replies posted from other threads (the writer's commit callback).
    std::shared_ptr<ThreadMailbox> mailbox() const { return m_mailbox; }

signals:
    void textMessage(const QByteArray &text);
    void closed();

private:
    void onReadyRead();
    void write(const QByteArray &frame);

    QTcpSocket *m_socket;
    WsFrameReader m_reader;
    qint64 m_maxQueued;
    qint64 m_dropped = 0;
    bool m_paused = false;
    bool m_closing = false;
    QElapsedTimer m_queuedSince; // valid while the queue is not empty
    QElapsedTimer m_lastRead;
    std::shared_ptr<ThreadMailbox> m_mailbox;
};

} // namespace fg
