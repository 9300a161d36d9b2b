#include "desktopsession.h"

#include <QMessageBox>
#include <QSystemTrayIcon>

#include "mainwindow.h"
#include "traynotifier.h"

namespace fg {

DesktopSession::DesktopSession(EngineConfig config, MainWindow *window, TrayNotifier *notifier, QObject *parent)
    : QObject(parent), m_engine(std::move(config)), m_window(window), m_notifier(notifier)
{
    if (notifier)
        m_engine.setDesktopNotifier([notifier](const OutgoingNotification &n) { return notifier->notify(n); });
    connect(&m_engine, &EngineHost::ready, this, [this](const QString &address) {
        if (m_window)
            m_window->setApi([engine = &m_engine](const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                                  QObject *context, std::function<void(const HttpResponse &)> done) {
                engine->callApi(method, target, body, context, std::move(done));
            });
        emit ready(address);
    });
    connect(&m_engine, &EngineHost::failed, this, &DesktopSession::onFailed);
    if (window) {
        connect(&m_engine, &EngineHost::statsUpdated, window, &MainWindow::showStats);
        connect(window, &MainWindow::quitRequested, this, &DesktopSession::quit);
    }
    connect(&m_engine, &EngineHost::stopped, this, [this] { emit finished(m_exitCode); });
}

void DesktopSession::start()
{
    if (m_window) {
        m_window->showStarting();
        m_window->show();
    }
    m_engine.start();
}

void DesktopSession::quit()
{
    if (m_quitting)
        return;
    m_quitting = true;
    // Gone from the screen at once; the engine answers what is in flight and closes the database on its
    // own thread, then finished() ends the application.
    if (m_window)
        m_window->hide();
    if (m_notifier && m_notifier->trayIcon())
        m_notifier->trayIcon()->hide();
    m_engine.stop();
}

void DesktopSession::onFailed(const QString &error)
{
    m_exitCode = 1;
    emit failed(error);
    if (m_window)
        m_window->showStartFailed(error);
    // Said without blocking; closing the message ends the run.
    m_failure = new QMessageBox(QMessageBox::Critical, tr("FlowGuard cannot start"), error, QMessageBox::Close, m_window);
    m_failure->setObjectName(QStringLiteral("startFailed"));
    m_failure->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_failure, &QMessageBox::finished, this, &DesktopSession::quit);
    m_failure->open();
}

} // namespace fg
