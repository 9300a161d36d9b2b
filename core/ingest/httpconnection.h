#pragma once

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>

#include <memory>

#include "httplimits.h"
#include "httpmessage.h"
#include "httprequestparser.h"

class QTcpSocket;

namespace fg {

class InflightBudget;
class RequestHandler;
class ResponseSlot;

// One client connection, on the listener thread. Feeds its bytes to an HttpRequestParser, answers
// `Expect: 100-continue`, admits each head and reserves the in-flight budget before buffering a body,
// and handles one request at a time: while a response is pending it stops reading, so
// TCP flow control holds back pipelined clients.
class HttpConnection final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    HttpConnection(QTcpSocket *socket, RequestHandler *handler, InflightBudget *budget, const HttpLimits &limits,
                   QObject *parent);
    ~HttpConnection() override;

    // Called on this thread (posted by ResponseSlot).
    void deliver(quint64 requestSeq, HttpResponse response);
    bool isIdleFor(qint64 ms) const;
    // Answers 408 and closes when the head or body arrives too slowly (HttpLimits); true if it did. Under
    // pressure (near the connection cap) a head gets only pressureHeaderTimeoutMs.
    bool enforceDeadlines(bool pressed);
    bool awaitingResponse() const { return m_state == State::Waiting; }
    void closeGracefully();
    // Answers status with message before reading any request, then closes (lingering).
    void refuseAndClose(int status, const QString &message) { refuse(status, message); }

signals:
    void finished();

private:
    enum class State { Head, Body, Waiting, Closing };
    void onReadyRead();
    void process();
    bool admitHead();
    bool reserve(qint64 bytes);
    void dispatch();
    void resume(); // goes on with buffered and newly arrived requests
    void refuse(int status, const QString &message, bool close = true);
    void writeResponse(const HttpResponse &response, bool keepAlive);
    void releaseReservation();

    QTcpSocket *m_socket;
    QHostAddress m_peer;
    RequestHandler *m_handler;
    InflightBudget *m_budget;
    HttpLimits m_limits;
    std::shared_ptr<ResponseSlot> m_slot;
    State m_state = State::Head;
    QByteArray m_in;
    HttpRequestParser m_parser;
    qint64 m_reserved = 0;
    quint64 m_seq = 0;
    bool m_keepAlive = true;
    bool m_draining = false;
    bool m_writeBlocked = false; // answers pile up unread: no further request until they drain
    QElapsedTimer m_lastActivity;
    QElapsedTimer m_phaseStart; // first byte of the current head, or the start of the body
};

} // namespace fg
