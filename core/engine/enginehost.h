#pragma once

#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>

#include "config/engineconfig.h"
#include "engine.h"
#include "enginestats.h"

namespace fg {

// Runs an Engine on its own thread ("fg-engine") for the window: start (lock, database open and
// migrations, restores, keychain probe, listener) and stop (draining what is in flight) happen there,
// so the thread that owns the host — the GUI thread — never waits for either. The host lives on the
// thread that creates it; the Engine is created, started, stopped and deleted on "fg-engine" only.
class EngineHost final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EngineHost)

public:
    enum class State { Idle, Starting, Ready, Failed, Stopping, Stopped };

    explicit EngineHost(EngineConfig config, QObject *parent = nullptr);
    // Waits for a running engine to stop (a fallback for tests and early exits; the window stops
    // through stop() and stopped()).
    ~EngineHost() override;

    // Set before start(); called on the dispatcher's thread.
    void setDesktopNotifier(Engine::DesktopNotifier notifier) { m_notifier = std::move(notifier); }
    // Returns at once; ready() or failed() follows.
    void start();
    // Returns at once; stopped() follows once the engine has drained and closed the database.
    void stop();
    State state() const { return m_state; }
    QString listenAddress() const { return m_listenAddress; }
    // The in-process API (see Engine::callApi): answered 503 before ready() and once stop() is called.
    void callApi(const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                 std::function<void(const HttpResponse &)> done);

signals:
    void ready(const QString &listenAddress);
    void failed(const QString &error);
    void statsUpdated(const fg::EngineStats &stats);
    void stopped();

private:
    void queueStop();

    EngineConfig m_config;
    Engine::DesktopNotifier m_notifier;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread; runs start and stop there
    Engine *m_engine = nullptr;   // set on m_thread before ready() is posted, read here only while Ready
    State m_state = State::Idle;
    QString m_listenAddress;
};

} // namespace fg
