#pragma once

#include <QHostAddress>
#include <QString>

namespace fg {

// Where notifications may go. Without --allow-private-targets a channel may not reach loopback,
// link-local, private or unique-local addresses, nor this host's own (the listener among them): anyone
// who can edit channels could otherwise make FlowGuard call services that trust only local callers.

// Why a connection to `address` is refused ("127.0.0.1 is a loopback address"), or empty when allowed.
QString forbiddenTargetAddress(const QHostAddress &address);
// The same for a channel URL, judged without DNS (a name is checked again once resolved, at delivery):
// an address literal or a localhost name. Empty when allowed.
QString forbiddenTargetUrl(const QString &url);
// The answer's explanation of the limit.
inline QString privateTargetsHint()
{
    return QStringLiteral("channels may not target loopback, link-local, private or this host's addresses unless "
                          "FlowGuard runs with --allow-private-targets");
}

} // namespace fg
