#include "targetpolicy.h"

#include <QNetworkInterface>
#include <QUrl>

namespace fg {

namespace {

bool inV4(quint32 a, quint32 net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); }

} // namespace

QString forbiddenTargetAddress(const QHostAddress &given)
{
    QHostAddress address = given;
    bool mapped = false;
    // ::ffff:127.0.0.1 reaches 127.0.0.1: judge the IPv4 address inside.
    if (const quint32 v4 = given.toIPv4Address(&mapped); mapped)
        address = QHostAddress(v4);
    const QString text = address.toString();
    if (address.isNull())
        return QStringLiteral("'%1' is not an address").arg(given.toString());
    if (address.isLoopback())
        return QStringLiteral("%1 is a loopback address").arg(text);
    if (address.isLinkLocal())
        return QStringLiteral("%1 is a link-local address").arg(text);
    if (address.isMulticast() || address.isBroadcast())
        return QStringLiteral("%1 is not a unicast address").arg(text);
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 a = address.toIPv4Address();
        // 0.0.0.0/8 reaches this host on Linux; 100.64/10 is carrier-grade NAT space.
        if (inV4(a, 0x00000000, 8))
            return QStringLiteral("%1 is an unspecified address").arg(text);
        if (inV4(a, 0x0A000000, 8) || inV4(a, 0xAC100000, 12) || inV4(a, 0xC0A80000, 16) || inV4(a, 0x64400000, 10))
            return QStringLiteral("%1 is a private address").arg(text);
    } else {
        if (address == QHostAddress(QHostAddress::AnyIPv6))
            return QStringLiteral("%1 is an unspecified address").arg(text);
        if (address.isUniqueLocalUnicast() || address.isSiteLocal())
            return QStringLiteral("%1 is a unique-local address").arg(text);
    }
    // An address of this host, the listener's whatever address it is bound to.
    const QList<QHostAddress> own = QNetworkInterface::allAddresses();
    for (const QHostAddress &a : own)
        if (a.isEqual(address, QHostAddress::TolerantConversion))
            return QStringLiteral("%1 is an address of this host").arg(text);
    return {};
}

QString forbiddenTargetUrl(const QString &url)
{
    const QString host = QUrl(url).host().toLower();
    if (host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost")))
        return QStringLiteral("%1 is a loopback name").arg(host);
    const QHostAddress literal(host);
    return literal.isNull() ? QString() : forbiddenTargetAddress(literal);
}

} // namespace fg
