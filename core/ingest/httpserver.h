#pragma once

#include <QHash>
#include <QHostAddress>
#include <QTcpServer>
#include <QTimer>

#include "httplimits.h"

namespace fg {

class HttpConnection;
class InflightBudget;
class RequestHandler;

// Accepts TCP connections and runs an HttpConnection for each, all on the thread this object lives on.
// Enforces the connection caps (overall and per client address), closes idle, stalled and too slow
// connections, and survives running out of file descriptors. Routing is the handler's job.
class HttpServer final : public QTcpServer {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)

public:
    HttpServer(RequestHandler *handler, InflightBudget *budget, const HttpLimits &limits, QObject *parent = nullptr);
    ~HttpServer() override;

    // Stops accepting; idle connections close now, busy ones after their response.
    void beginShutdown();
    int connectionCount() const { return int(m_connections.size()); }
    int busyConnections() const;

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    void sweep();
    void drop(HttpConnection *connection);
    void refuseConnection(QTcpSocket *socket, const QString &message);
    void onAcceptError(QAbstractSocket::SocketError error);

    RequestHandler *m_handler;
    InflightBudget *m_budget;
    HttpLimits m_limits;
    QHash<HttpConnection *, QHostAddress> m_connections;
    QHash<QHostAddress, int> m_perAddress;
    QTimer m_sweepTimer;
    int m_reserveFd = -1; // kept open so that a connection can still be accepted (and shed) at the fd limit
};

// Raises the soft limit on open files towards the hard one (many clients need many sockets); returns the
// soft limit in force afterwards.
int raiseOpenFileLimit();

} // namespace fg
