#include "desktopnotification.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QStringList>
#include <QVariantMap>

namespace fg {

namespace {
const QString kService = QStringLiteral("org.freedesktop.Notifications");
}

bool desktopNotificationsAvailable()
{
    const QDBusConnection bus = QDBusConnection::sessionBus();
    return bus.isConnected() && bus.interface() && bus.interface()->isServiceRegistered(kService).value();
}

SendResult sendDesktopNotification(const std::string &title, const std::string &body, uint *notificationId,
                                   const QString &openLabel)
{
    SendResult r;
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        r.retryable = false;
        r.error = "no session D-Bus: desktop notifications are not available here";
        return r;
    }
    return desktopNotifyResult(bus.call(desktopNotifyCall(QString::fromStdString(title), QString::fromStdString(body), openLabel),
                                        QDBus::Block, 5000),
                               notificationId);
}

QDBusMessage desktopNotifyCall(const QString &title, const QString &body, const QString &openLabel)
{
    QDBusMessage call = QDBusMessage::createMethodCall(kService, QStringLiteral("/org/freedesktop/Notifications"), kService,
                                                       QStringLiteral("Notify"));
    call << QStringLiteral("FlowGuard") << uint(0) << QStringLiteral("dialog-warning") << title << body
         << QStringList{QStringLiteral("default"), openLabel}
         << QVariantMap{{QStringLiteral("desktop-entry"), QStringLiteral("flowguard")}} << int(-1);
    return call;
}

SendResult desktopNotifyResult(const QDBusMessage &reply, uint *notificationId)
{
    SendResult r;
    if (reply.type() == QDBusMessage::ReplyMessage) {
        if (notificationId && !reply.arguments().isEmpty())
            *notificationId = reply.arguments().constFirst().toUInt();
        r.ok = true;
        return r;
    }
    r.error = (reply.errorName() + QStringLiteral(": ") + reply.errorMessage()).toStdString();
    // No notification server on the bus will not change by retrying soon; a timeout might.
    r.retryable = reply.errorName() == QLatin1String("org.freedesktop.DBus.Error.NoReply");
    return r;
}

} // namespace fg
