#include "httpserver.h"

#include <QTcpSocket>

#include "httpconnection.h"
#include "httpresponder.h"

namespace fg {

HttpServer::HttpServer(RequestHandler *handler, InflightBudget *budget, const HttpLimits &limits, QObject *parent)
    : QTcpServer(parent), m_handler(handler), m_budget(budget), m_limits(limits)
{
    setMaxPendingConnections(256);
    m_sweepTimer.setInterval(1000);
    connect(&m_sweepTimer, &QTimer::timeout, this, &HttpServer::sweep);
    m_sweepTimer.start();
}

HttpServer::~HttpServer()
{
    for (HttpConnection *c : std::as_const(m_connections))
        delete c;
}

void HttpServer::incomingConnection(qintptr descriptor)
{
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (int(m_connections.size()) >= m_limits.maxConnections) {
        const HttpResponse r = m_handler->transportError(503, QStringLiteral("too many connections"));
        HttpResponse busy = r;
        busy.headers.emplace_back("Retry-After", "1");
        socket->write(busy.serialize(false));
        socket->disconnectFromHost();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        return;
    }
    auto *conn = new HttpConnection(socket, m_handler, m_budget, m_limits, this);
    m_connections.insert(conn);
    connect(conn, &HttpConnection::finished, this, [this, conn] {
        if (m_connections.remove(conn))
            conn->deleteLater();
    });
}

void HttpServer::beginShutdown()
{
    close();
    for (HttpConnection *c : std::as_const(m_connections))
        c->closeGracefully();
}

int HttpServer::busyConnections() const
{
    int n = 0;
    for (HttpConnection *c : m_connections)
        n += c->awaitingResponse() ? 1 : 0;
    return n;
}

void HttpServer::sweep()
{
    const QList<HttpConnection *> all(m_connections.begin(), m_connections.end());
    for (HttpConnection *c : all) {
        if (c->isIdleFor(m_limits.idleTimeoutMs)) {
            m_connections.remove(c);
            c->deleteLater();
        }
    }
}

} // namespace fg
