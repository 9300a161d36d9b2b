#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QHostAddress>
#include <QSslConfiguration>
#include <QTcpServer>
#include <QTimer>

#include <atomic>
#include <optional>

#include "httplimits.h"

class QSslSocket;

namespace fg {

class HttpConnection;
class InflightBudget;
class RequestHandler;

// Accepts TCP connections and runs an HttpConnection for each, all on the thread this object lives on.
// Enforces the connection caps (overall and per client address), closes idle, stalled and too slow
// connections, and survives running out of file descriptors. Routing is the handler's job.
// With TLS, each connection first completes its handshake within the head deadline (it counts against
// the caps meanwhile); one that fails or is too slow is closed without a word, and counted.
class HttpServer final : public QTcpServer {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    HttpServer(RequestHandler *handler, InflightBudget *budget, const HttpLimits &limits, QObject *parent = nullptr);
    ~HttpServer() override;

    // Every connection speaks TLS with this configuration (loadServerTls); set before listening.
    // handshakeFailures counts the handshakes that failed or did not finish in time.
    void enableTls(const QSslConfiguration &config, std::atomic<std::int64_t> *handshakeFailures);
    // Stops accepting; idle connections close now, busy ones after their response.
    void beginShutdown();
    int connectionCount() const { return int(m_connections.size() + m_handshakes.size()); }
    int busyConnections() const;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    struct Handshake {
        QHostAddress peer;
        QElapsedTimer since;
    };
    void sweep();
    HttpConnection *serve(QTcpSocket *socket, const QHostAddress &peer);
    void startHandshake(QSslSocket *socket, const QHostAddress &peer);
    void onFirstBytes(QSslSocket *socket);
    enum class HandshakeEnd { Encrypted, Failed, PlainHttp, Shutdown };
    void endHandshake(QSslSocket *socket, HandshakeEnd end);
    void releaseAddress(const QHostAddress &peer);
    void drop(HttpConnection *connection);
    void refuseConnection(QTcpSocket *socket, const QString &message);
    void onAcceptError(QAbstractSocket::SocketError error);

    RequestHandler *m_handler;
    InflightBudget *m_budget;
    HttpLimits m_limits;
    QHash<HttpConnection *, QHostAddress> m_connections;
    QHash<QSslSocket *, Handshake> m_handshakes; // TLS connections before their handshake completed
    std::optional<QSslConfiguration> m_tls;
    std::atomic<std::int64_t> *m_handshakeFailures = nullptr;
    QHash<QHostAddress, int> m_perAddress;
    QTimer m_sweepTimer;
    int m_reserveFd = -1; // kept open so that a connection can still be accepted (and shed) at the fd limit
};

// Raises the soft limit on open files towards the hard one (many clients need many sockets); returns the
// soft limit in force afterwards.
int raiseOpenFileLimit();

} // namespace fg
