#pragma once

#include <QHostAddress>
#include <QSet>
#include <QTcpServer>
#include <QTimer>

#include "httplimits.h"

namespace fg {

class HttpConnection;
class InflightBudget;
class RequestHandler;

// Accepts TCP connections and runs an HttpConnection for each, all on the thread this object lives on.
// Enforces the connection cap and closes idle or stalled connections. Routing is the handler's job.
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

    RequestHandler *m_handler;
    InflightBudget *m_budget;
    HttpLimits m_limits;
    QSet<HttpConnection *> m_connections;
    QTimer m_sweepTimer;
};

} // namespace fg
