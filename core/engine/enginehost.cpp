#include "enginehost.h"

#include <QPointer>

#include "api/apierror.h"

#if defined(Q_OS_LINUX)
#include <cerrno>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace fg {

namespace {
// The engine's threads yield the CPU to the window's: on a busy machine the GUI thread and the raster
// helpers it waits for while painting (Qt's global thread pool) were runnable behind ingest, store and
// analysis threads (ui_stall at 50,000 events/s: own-stall p99 4.4-5.6 -> 1.5-2.4 ms). Linux gives each
// thread its own nice value and new threads inherit it, so lowering "fg-engine" before the Engine starts
// its threads lowers them all; the engine still gets every core the window does not use.
void lowerEngineThreadPriority()
{
#if defined(Q_OS_LINUX)
    constexpr int kEngineNice = 10;
    const auto tid = id_t(::syscall(SYS_gettid));
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, tid);
    if (errno == 0 && current < kEngineNice)
        ::setpriority(PRIO_PROCESS, tid, kEngineNice);
#endif
}
} // namespace

EngineHost::EngineHost(EngineConfig config, QObject *parent) : QObject(parent), m_config(std::move(config))
{
    qRegisterMetaType<fg::EngineStats>();
    m_thread.setObjectName(QStringLiteral("fg-engine"));
    connect(&m_thread, &QThread::finished, this, [this] {
        if (m_state == State::Stopping) {
            m_state = State::Stopped;
            emit stopped();
        }
    });
}

EngineHost::~EngineHost()
{
    if (m_thread.isRunning()) {
        if (m_state != State::Stopping)
            queueStop();
        m_thread.wait();
    }
}

void EngineHost::start()
{
    if (m_state != State::Idle)
        return;
    m_state = State::Starting;
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(m_context, [this] {
        lowerEngineThreadPriority(); // before the Engine creates its threads
        auto *engine = new Engine(m_config);
        if (m_notifier)
            engine->setDesktopNotifier(m_notifier);
        connect(engine, &Engine::statsUpdated, this, &EngineHost::statsUpdated); // queued to the host's thread
        QString error;
        if (!engine->start(&error)) {
            delete engine;
            QThread::currentThread()->quit();
            QMetaObject::invokeMethod(this, [this, error] {
                if (m_state == State::Starting)
                    m_state = State::Failed;
                emit failed(error);
            }, Qt::QueuedConnection);
            return;
        }
        m_engine = engine;
        const QString address = engine->listenAddress();
        const EngineStats first = engine->stats();
        QMetaObject::invokeMethod(this, [this, address, first] {
            m_listenAddress = address;
            if (m_state != State::Starting)
                return; // stop() came first: its job is queued behind this start
            m_state = State::Ready;
            emit ready(address);
            emit statsUpdated(first);
        }, Qt::QueuedConnection);
    }, Qt::QueuedConnection);
}

void EngineHost::stop()
{
    if (m_state == State::Idle) {
        m_state = State::Stopped;
        QMetaObject::invokeMethod(this, &EngineHost::stopped, Qt::QueuedConnection);
        return;
    }
    if (m_state == State::Failed || m_state == State::Stopped) {
        // Nothing runs; the thread (if any) is ending with the failed start.
        m_state = State::Stopped;
        QMetaObject::invokeMethod(this, &EngineHost::stopped, Qt::QueuedConnection);
        return;
    }
    if (m_state == State::Stopping)
        return;
    m_state = State::Stopping;
    queueStop();
}

void EngineHost::queueStop()
{
    // Behind the start job on the engine's thread, so a stop during start-up waits for it there.
    QMetaObject::invokeMethod(m_context, [this] {
        if (m_engine) {
            m_engine->stop();
            delete m_engine;
            m_engine = nullptr;
        }
        QThread::currentThread()->quit(); // finished → stopped() on the host's thread
    }, Qt::QueuedConnection);
}

void EngineHost::callApi(const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                         std::function<void(const HttpResponse &)> done)
{
    if (m_state == State::Ready)
        return m_engine->callApi(method, target, body, context, std::move(done));
    // Answered like every other reply: later, on the caller's thread.
    const HttpResponse refused = apiError(503, m_state == State::Starting ? QStringLiteral("FlowGuard is starting")
                                                                           : QStringLiteral("FlowGuard is not running"));
    QPointer<QObject> guard(context);
    QMetaObject::invokeMethod(this, [guard, done = std::move(done), refused] {
        if (guard)
            done(refused);
    }, Qt::QueuedConnection);
}

} // namespace fg
