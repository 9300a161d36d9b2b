#pragma once

#include <QHostAddress>
#include <QSet>
#include <QString>
#include <QStringList>

namespace fg {

struct HttpRequest;

// Keeps a listener on a laptop safe before tokens exist: answers only Host headers that name this
// listener (so a DNS-rebinding page cannot reach it) and refuses browser writes from origins that are
// not allowed (cross-site form or fetch POSTs).
class RequestGuard final {
public:
    RequestGuard(const QHostAddress &listenAddress, quint16 port, const QStringList &extraHosts,
                 const QStringList &extraOrigins);
    void setPort(quint16 port) { m_port = port; }

    // Empty when allowed, else the reason.
    QString checkHost(const HttpRequest &request) const;
    QString checkOrigin(const HttpRequest &request) const;

private:
    bool isLoopbackName(const QString &host) const;

    QHostAddress m_listenAddress;
    quint16 m_port;
    QSet<QString> m_hosts;
    QSet<QString> m_origins;
    bool m_anyAddress;
};

} // namespace fg
