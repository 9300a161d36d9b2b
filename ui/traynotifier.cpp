#include "traynotifier.h"

#include <QDBusConnection>
#include <QDBusPendingCallWatcher>
#include <QIcon>
#include <QSystemTrayIcon>

#include <future>

#include "alerting/delivery/desktopnotification.h"

namespace fg {

namespace {
const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
} // namespace

TrayNotifier::TrayNotifier(QObject *parent) : QObject(parent)
{
    // supportsMessages() says yes even without a tray (and showMessage() then does nothing): ask for a tray.
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/flowguard.png")), this);
        m_tray->setToolTip(tr("FlowGuard"));
        m_tray->show();
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
            if (m_trayAlert)
                emit openAlert(m_trayAlert);
        });
    }
    QDBusConnection::sessionBus().connect(kService, kPath, kService, QStringLiteral("ActionInvoked"), this,
                                          SLOT(onAction(uint, QString)));
}

TrayNotifier::~TrayNotifier() = default;

void TrayNotifier::onAction(uint notificationId, const QString &)
{
    const auto it = m_notifications.find(notificationId);
    if (it != m_notifications.end())
        emit openAlert(it->second);
}

void TrayNotifier::show(const QString &title, const QString &body, qint64 alertId, std::function<void(SendResult)> done)
{
    SendResult r;
    if (m_tray) {
        m_trayAlert = alertId;
        m_tray->showMessage(title, body, QSystemTrayIcon::Warning, 15000);
        r.ok = true;
        return done(r);
    }
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        r.retryable = false;
        r.error = "no tray and no session D-Bus: desktop notifications are not available here";
        return done(r);
    }
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(desktopNotifyCall(title, body, tr("Open")), 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, alertId, done = std::move(done)](QDBusPendingCallWatcher *w) {
        uint id = 0;
        const SendResult result = desktopNotifyResult(w->reply(), &id);
        if (result.ok)
            m_notifications[id] = alertId;
        w->deleteLater();
        done(result);
    });
}

SendResult TrayNotifier::notify(const OutgoingNotification &n)
{
    const QString title = QString::fromStdString(notificationTitle(n));
    const QString body = QString::fromStdString(desktopBody(n));
    const qint64 alertId = n.alerts.empty() ? 0 : n.alerts.front().id;
    // Queued, not blocking: the GUI thread may itself be waiting for the dispatcher to stop.
    auto result = std::make_shared<std::promise<SendResult>>();
    auto future = result->get_future();
    QMetaObject::invokeMethod(this, [this, title, body, alertId, result] {
        show(title, body, alertId, [result](SendResult r) { result->set_value(std::move(r)); });
    }, Qt::QueuedConnection);
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
        SendResult busy;
        busy.error = "the window did not show the notification in time";
        return busy;
    }
    try {
        return future.get();
    } catch (const std::future_error &) { // the window went before it showed it
        SendResult gone;
        gone.error = "the window closed before it showed the notification";
        return gone;
    }
}

} // namespace fg
