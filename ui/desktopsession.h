#pragma once

#include <QObject>
#include <QPointer>

#include "config/engineconfig.h"
#include "engine/enginehost.h"

class QMessageBox;

namespace fg {

class MainWindow;
class TrayNotifier;

// Joins the window's life to the engine's. The window shows at once in a "starting…" state while the
// engine starts on its own thread, and fills when it is ready; Quit hides the window and the tray icon,
// the engine drains on its thread, and finished() says when the application may end. GUI thread; it
// never waits for the engine.
class DesktopSession final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DesktopSession)

public:
    // `notifier` (may be null) shows the engine's desktop notifications.
    DesktopSession(EngineConfig config, MainWindow *window, TrayNotifier *notifier, QObject *parent = nullptr);

    void start();
    EngineHost *engine() { return &m_engine; }

public slots:
    void quit();

signals:
    void ready(const QString &listenAddress);
    void failed(const QString &error);
    // The engine has stopped; exitCode 1 after a failed start.
    void finished(int exitCode);

private:
    void onFailed(const QString &error);

    EngineHost m_engine;
    QPointer<MainWindow> m_window;
    QPointer<TrayNotifier> m_notifier;
    QPointer<QMessageBox> m_failure;
    int m_exitCode = 0;
    bool m_quitting = false;
};

} // namespace fg
