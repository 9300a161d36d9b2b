#pragma once

#include <QDBusMessage>
#include <QString>

#include <string>

#include "curltransport.h"

namespace fg {

// Whether the session bus has a notification server (org.freedesktop.Notifications).
bool desktopNotificationsAvailable();
// Shows a notification through the freedesktop Notifications service on the session D-Bus, with an
// action labelled `openLabel` (its click arrives as ActionInvoked with *notificationId). A plain method
// call, not a QDBusInterface, so it works from the dispatcher thread.
SendResult sendDesktopNotification(const std::string &title, const std::string &body, uint *notificationId = nullptr,
                                   const QString &openLabel = QStringLiteral("Open"));

// The Notify call itself and how its reply reads, for callers that must not block (QDBusConnection::asyncCall).
QDBusMessage desktopNotifyCall(const QString &title, const QString &body, const QString &openLabel);
SendResult desktopNotifyResult(const QDBusMessage &reply, uint *notificationId = nullptr);

} // namespace fg
