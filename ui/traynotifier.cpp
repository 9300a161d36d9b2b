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

TrayNotifier::TrayNotifier(QObject *parent, qint64 quietMs) : QObject(parent), m_coalescer(quietMs)
{
    m_clock.start();
    m_summaryTimer.setSingleShot(true);
    connect(&m_summaryTimer, &QTimer::timeout, this, &TrayNotifier::showSummary);
    m_unmuteTimer.setSingleShot(true);
    connect(&m_unmuteTimer, &QTimer::timeout, this, [this] { muteUntil({}); });
    // supportsMessages() says yes even without a tray (and showMessage() then does nothing): ask for a tray.
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/flowguard.png")), this);
        m_tray->setToolTip(tr("FlowGuard"));
        m_tray->show();
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] { open(m_trayTarget); });
    }
    QDBusConnection::sessionBus().connect(kService, kPath, kService, QStringLiteral("ActionInvoked"), this,
                                          SLOT(onAction(uint, QString)));
}

TrayNotifier::~TrayNotifier() = default;

void TrayNotifier::onAction(uint notificationId, const QString &)
{
    const auto it = m_notifications.find(notificationId);
    if (it != m_notifications.end())
        open(it->second);
}

void TrayNotifier::open(const Target &target)
{
    if (target.incident > 0 || target.alert == 0)
        emit openIncident(target.incident);
    else
        emit openAlert(target.alert);
}

void TrayNotifier::muteUntil(const QDateTime &until)
{
    const bool mute = until.isValid() && until > QDateTime::currentDateTimeUtc();
    m_mutedUntil = mute ? until : QDateTime();
    if (mute)
        m_unmuteTimer.start(int(std::min<qint64>(QDateTime::currentDateTimeUtc().msecsTo(until), 24 * 3600 * 1000)));
    else
        m_unmuteTimer.stop();
    emit mutedChanged(mute, m_mutedUntil);
}

void TrayNotifier::show(const Pending &p, std::function<void(SendResult)> done)
{
    SendResult r;
    ++m_shown;
    if (m_tray) {
        m_trayTarget = p.target;
        m_tray->showMessage(p.title, p.body, QSystemTrayIcon::Warning, 15000);
        r.ok = true;
        return done(r);
    }
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        r.retryable = false;
        r.error = "no tray and no session D-Bus: desktop notifications are not available here";
        return done(r);
    }
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(desktopNotifyCall(p.title, p.body, tr("Open")), 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, target = p.target, done = std::move(done)](QDBusPendingCallWatcher *w) {
                uint id = 0;
                const SendResult result = desktopNotifyResult(w->reply(), &id);
                if (result.ok)
                    m_notifications[id] = target;
                w->deleteLater();
                done(result);
            });
}

void TrayNotifier::deliver(const Pending &p, const QString &service, std::function<void(SendResult)> done)
{
    SendResult quiet;
    quiet.ok = true; // the alert is in the window either way
    if (muted())
        return done(quiet);
    if (m_coalescer.admit(p.target.incident, service, m_clock.elapsed()))
        return show(p, std::move(done));
    ++m_held;
    m_lastHeld = p;
    if (!m_summaryTimer.isActive())
        m_summaryTimer.start(int(std::max<qint64>(0, m_coalescer.summaryDueMs() - m_clock.elapsed())));
    done(quiet);
}

void TrayNotifier::showSummary()
{
    const NotificationCoalescer::Summary s = m_coalescer.takeSummary(m_clock.elapsed());
    if (s.count == 0 || muted())
        return;
    if (s.count == 1)
        return show(m_lastHeld, [](SendResult) {});
    Pending p;
    p.title = tr("FlowGuard: %n more alert(s)", nullptr, s.count);
    p.body = tr("In %1. Open FlowGuard to see the incidents.").arg(s.services.join(QStringLiteral(", ")));
    p.target.incident = s.incidents.size() == 1 ? s.incidents.first() : 0;
    show(p, [](SendResult) {});
}

SendResult TrayNotifier::notify(const OutgoingNotification &n)
{
    Pending p;
    p.title = QString::fromStdString(notificationTitle(n));
    p.body = QString::fromStdString(desktopBody(n));
    if (!n.alerts.empty()) {
        p.target.alert = n.alerts.front().id;
        p.target.incident = n.alerts.front().incidentId;
    }
    const QString service = n.alerts.empty() ? QString() : QString::fromStdString(n.alerts.front().service);
    // Queued, not blocking: the GUI thread may itself be waiting for the dispatcher to stop.
    auto result = std::make_shared<std::promise<SendResult>>();
    auto future = result->get_future();
    QMetaObject::invokeMethod(this, [this, p, service, result] {
        deliver(p, service, [result](SendResult r) { result->set_value(std::move(r)); });
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
