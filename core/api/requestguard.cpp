#include "requestguard.h"

#include <QHostInfo>
#include <QUrl>

#include "ingest/httpmessage.h"

namespace fg {

namespace {

// "host:port", "[v6]:port", "host" → host, lower-cased, brackets removed.
QString hostOnly(const QString &hostHeader)
{
    QString h = hostHeader.trimmed().toLower();
    if (h.startsWith(QLatin1Char('['))) {
        const int close = h.indexOf(QLatin1Char(']'));
        return close > 0 ? h.mid(1, close - 1) : h;
    }
    const int colon = h.lastIndexOf(QLatin1Char(':'));
    if (colon >= 0 && h.indexOf(QLatin1Char(':')) == colon)
        h.truncate(colon);
    if (h.endsWith(QLatin1Char('.')))
        h.chop(1);
    return h;
}

} // namespace

RequestGuard::RequestGuard(const QHostAddress &listenAddress, quint16 port, const QStringList &extraHosts,
                           const QStringList &extraOrigins)
    : m_listenAddress(listenAddress), m_port(port)
{
    m_anyAddress = listenAddress == QHostAddress::Any || listenAddress == QHostAddress::AnyIPv4
                   || listenAddress == QHostAddress::AnyIPv6;
    m_hosts = {QStringLiteral("localhost"), QStringLiteral("127.0.0.1"), QStringLiteral("::1"),
               listenAddress.toString().toLower()};
    if (m_anyAddress || !listenAddress.isLoopback())
        m_hosts.insert(QHostInfo::localHostName().toLower());
    for (const QString &h : extraHosts)
        m_hosts.insert(hostOnly(h));
    for (const QString &o : extraOrigins)
        m_origins.insert(o.trimmed().toLower());
}

bool RequestGuard::isLoopbackName(const QString &host) const
{
    return host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost"))
           || QHostAddress(host).isLoopback();
}

QString RequestGuard::checkHost(const HttpRequest &request) const
{
    if (!request.hasHeader("host"))
        return {}; // HTTP/1.0 without Host: no browser sends that
    const QString host = hostOnly(QString::fromLatin1(request.header("host")));
    if (m_hosts.contains(host) || isLoopbackName(host))
        return {};
    // Bound to all interfaces: any literal address reaches us legitimately; names must be listed.
    QHostAddress literal;
    if (m_anyAddress && literal.setAddress(host))
        return {};
    return QStringLiteral("Host '%1' is not served here; add it with --allowed-hosts").arg(host);
}

QString RequestGuard::checkOrigin(const HttpRequest &request) const
{
    if (!request.hasHeader("origin"))
        return {};
    const QString origin = QString::fromLatin1(request.header("origin")).trimmed().toLower();
    if (m_origins.contains(origin))
        return {};
    const QUrl url(origin);
    const int port = url.port(url.scheme() == QLatin1String("https") ? 443 : 80);
    if (url.isValid() && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"))
        && isLoopbackName(url.host().toLower()) && port == m_port)
        return {};
    return QStringLiteral("cross-origin write from '%1' refused; allow it with --allowed-origins").arg(origin);
}

} // namespace fg
