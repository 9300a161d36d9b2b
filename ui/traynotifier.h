#pragma once

#include <QObject>

#include <map>

#include "alerting/delivery/curltransport.h"
#include "alerting/delivery/notificationmessages.h"

class QSystemTrayIcon;

namespace fg {

// Desktop notifications for the window: a tray message where the desktop has a tray, otherwise the
// freedesktop Notifications service; clicking either asks to open the alert. notify() is called on the
// dispatcher's thread and does its work on the GUI thread.
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
    SendResult show(const QString &title, const QString &body, qint64 alertId);

    QSystemTrayIcon *m_tray = nullptr;
    qint64 m_trayAlert = 0;                 // the alert of the latest tray message
    std::map<uint, qint64> m_notifications; // D-Bus notification id → alert id
};

} // namespace fg
