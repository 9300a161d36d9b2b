#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <map>

#include "alerting/delivery/curltransport.h"
#include "alerting/delivery/notificationmessages.h"
#include "notificationcoalescer.h"

class QSystemTrayIcon;

namespace fg {

// Desktop notifications for the window: a tray message where the desktop has a tray, otherwise the
// freedesktop Notifications service. One bubble per incident, and a storm becomes one "N more" summary
// (NotificationCoalescer); clicking a bubble or its Open action asks to open its incident (the incidents
// list for a summary). Notifications can be muted for a while. notify() is called on the dispatcher's
// thread (which waits for the outcome) and does its work on the GUI thread, which never waits: the D-Bus
// call is asynchronous.
class TrayNotifier final : public QObject {
    Q_OBJECT

public:
    // quietMs: at most one bubble per this long; the rest are summed up after it.
    explicit TrayNotifier(QObject *parent = nullptr, qint64 quietMs = NotificationCoalescer::kQuietMs);
    ~TrayNotifier() override;

    SendResult notify(const OutgoingNotification &n);
    // The tray icon when the desktop has a tray, else nullptr (the window puts its menu on it).
    QSystemTrayIcon *trayIcon() const { return m_tray; }

    // Nothing pops up until then (what arrives meanwhile is in the window); an invalid time unmutes.
    void muteUntil(const QDateTime &until);
    bool muted() const { return m_mutedUntil.isValid(); }
    QDateTime mutedUntil() const { return m_mutedUntil; }
    // Bubbles shown and held back since start, for tests and the tooltip.
    int shownCount() const { return m_shown; }
    int heldCount() const { return m_held; }

signals:
    void openAlert(qint64 id);
    // 0: the incidents list (a summary of several).
    void openIncident(qint64 id);
    void mutedChanged(bool muted, const QDateTime &until);

private slots:
    void onAction(uint notificationId, const QString &action);

private:
    // What a click opens.
    struct Target {
        qint64 incident = 0;
        qint64 alert = 0;
    };
    struct Pending {
        QString title, body;
        Target target;
    };
    void deliver(const Pending &p, const QString &service, std::function<void(SendResult)> done);
    void showSummary();
    void open(const Target &target);
    // On the GUI thread; `done` gets the outcome (later, for a D-Bus call: it is never waited for here).
    void show(const Pending &p, std::function<void(SendResult)> done);

    QSystemTrayIcon *m_tray = nullptr;
    Target m_trayTarget;                    // of the latest tray message
    std::map<uint, Target> m_notifications; // D-Bus notification id → what it opens
    NotificationCoalescer m_coalescer;
    QElapsedTimer m_clock;
    QTimer m_summaryTimer;
    Pending m_lastHeld; // told alone when it is the only one held
    QDateTime m_mutedUntil;
    QTimer m_unmuteTimer;
    int m_shown = 0;
    int m_held = 0;
};

} // namespace fg
