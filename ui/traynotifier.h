#pragma once

#include <QObject>

#include <functional>
#include <map>

#include "alerting/delivery/curltransport.h"
#include "alerting/delivery/notificationmessages.h"

class QSystemTrayIcon;

namespace fg {

// Desktop notifications for the window: a tray message where the desktop has a tray, otherwise the
// freedesktop Notifications service; clicking either asks to open the alert. notify() is called on the
// dispatcher's thread (which waits for the outcome) and does its work on the GUI thread, which never
// waits: the D-Bus call is asynchronous.
class TrayNotifier final : public QObject {
    Q_OBJECT

public:
    explicit TrayNotifier(QObject *parent = nullptr);
    ~TrayNotifier() override;

    SendResult notify(const OutgoingNotification &n);
    // The tray icon when the desktop has a tray, else nullptr (the window puts its menu on it).
    QSystemTrayIcon *trayIcon() const { return m_tray; }

signals:
    void openAlert(qint64 id);

private slots:
    void onAction(uint notificationId, const QString &action);

private:
    // On the GUI thread; `done` gets the outcome (later, for a D-Bus call: it is never waited for here).
    void show(const QString &title, const QString &body, qint64 alertId, std::function<void(SendResult)> done);

    QSystemTrayIcon *m_tray = nullptr;
    qint64 m_trayAlert = 0;                 // the alert of the latest tray message
    std::map<uint, qint64> m_notifications; // D-Bus notification id → alert id
};

} // namespace fg
