// ui_stall: how long the GUI thread stalls while the window shows every view in turn and a loader sends
// mixed traffic to the same in-process engine, started like the application starts it (DesktopSession:
// the window at once, the engine on its own thread). A 2 ms heartbeat timer on the GUI thread measures the
// gaps three ways: wall time; the same less the time the thread waited for a core (Linux schedstat), which
// is the GUI thread's own stall (its work and its waits) on a machine shared with other load; and the
// thread's CPU time. Every event the GUI thread handles is timed (QApplication::notify), so the long
// gaps name what ran in them. The service view's timelines are timed from the range chosen to drawn.
// Before the measurement, each service gets `--history` minutes of stored requests (one with a recent
// slowdown), so that timelines, baselines and incidents have what a user's would.
// Run offscreen or under Xvfb: ui_stall [--seconds 30] [--rate 50000] [--connections 4] [--history 360]

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QEvent>
#include <QHash>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "alertsview.h"
#include "connectpanel.h"
#include "desktopsession.h"
#include "incidentsview.h"
#include "logsview.h"
#include "mainwindow.h"
#include "servicesoverview.h"
#include "serviceview.h"
#include "settingsview.h"
#include "testhttpclient.h"
#include "traynotifier.h"
#include "windowtraffic.h"

using namespace fg;

namespace {

// One loader connection: NDJSON batches of 1,000 events over 6 services with current event times, some
// slow and some failing, paced to `perSecond`.
void load(quint16 port, int perSecond, unsigned seed, const std::atomic<bool> &stop, std::atomic<qint64> &sent)
{
    static const char *kServices[] = {"checkout", "auth", "search", "ledger", "cart", "images"};
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    TestHttpClient client(port);
    QElapsedTimer clock;
    clock.start();
    qint64 done = 0;
    while (!stop) {
        QByteArray body;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < 1000; ++i) {
            const int s = int(u(rng) * 6);
            // "search" degrades for the second half of every minute: latency and errors.
            const bool bad = s == 2 && (now / 1000) % 60 >= 30;
            const bool error = u(rng) < (bad ? 0.2 : 0.01);
            const double latency = (bad ? 400 : 40) * std::exp(0.3 * (u(rng) - 0.5));
            body += "{\"service\":\"" + QByteArray(kServices[s]) + "\",\"ts\":" + QByteArray::number(now) + ",\"level\":\""
                    + (error ? "ERROR" : "INFO") + "\",\"endpoint\":\"/api/item/" + QByteArray::number(i % 50)
                    + "\",\"status_code\":" + (error ? "503" : "200") + ",\"latency_ms\":" + QByteArray::number(latency, 'f', 1)
                    + ",\"message\":\"" + (error ? "upstream timed out after 1000 ms" : "ok") + "\"}\n";
        }
        if (client.post("/api/ingest/logs", body, "application/x-ndjson").status == 202) {
            done += 1000;
            sent += 1000;
        } else {
            QThread::msleep(50); // the listener is gone (quitting) or refused: do not spin
        }
        const qint64 due = done * 1000 / perSecond;
        if (const qint64 ahead = due - clock.elapsed(); ahead > 0)
            QThread::msleep(quint64(ahead));
    }
}

// CPU time the calling thread has used, in ms.
double threadCpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// Time the calling thread has waited for a core (runnable, not running) so far, in ms. Its schedstat file
// is opened once per thread and read with one pread (this runs around every GUI-thread event).
double runQueueWaitMs()
{
    static thread_local const int fd = ::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    char buffer[128];
    const ssize_t n = fd >= 0 ? ::pread(fd, buffer, sizeof buffer - 1, 0) : -1;
    if (n <= 0)
        return 0;
    buffer[n] = 0;
    const char *second = std::strchr(buffer, ' ');
    return second ? std::strtod(second + 1, nullptr) / 1e6 : 0;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

double maxOf(const std::vector<double> &v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); }

// What handled one event on the GUI thread: the receiver's class, its parent's (a QTimer's owner, a
// view's window), and the event type.
struct Handler {
    const char *receiver = "";
    const char *parent = "";
    int type = 0;
    QString name; // the receiver's objectName
    bool operator==(const Handler &o) const
    {
        return receiver == o.receiver && parent == o.parent && type == o.type && name == o.name;
    }
};
size_t qHash(const Handler &h, size_t seed = 0) { return qHashMulti(seed, h.receiver, h.parent, h.type, h.name); }

QString describe(const Handler &h)
{
    // Not only API replies: views split their own work into queued calls, and a chart's QGraphicsScene
    // posts its dirty-item and changed() processing the same way.
    const QString type = h.type == QEvent::MetaCall      ? QStringLiteral("queued call")
                         : h.type == QEvent::Timer         ? QStringLiteral("timer")
                         : h.type == QEvent::UpdateRequest ? QStringLiteral("paint")
                                                           : QStringLiteral("event %1").arg(h.type);
    return QStringLiteral("%1%2%3: %4")
        .arg(QLatin1String(h.receiver), h.name.isEmpty() ? QString() : QStringLiteral(" '%1'").arg(h.name),
             *h.parent ? QStringLiteral(" in %1").arg(QLatin1String(h.parent)) : QString(), type);
}

// The application with every top-level event on the GUI thread timed (wall and thread CPU).
class TimedApplication final : public QApplication {
public:
    struct Timed {
        Handler handler;
        double wallMs;
        double cpuMs;
        double blockedMs; // neither running nor waiting for a core: a lock, I/O, a page fault
    };
    struct Total {
        int count = 0;
        double cpuMs = 0;
        double maxCpuMs = 0;
        double maxWallMs = 0;
        double maxBlockedMs = 0;
    };

    TimedApplication(int &argc, char **argv) : QApplication(argc, argv) { m_clock.start(); }

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!m_on || QThread::currentThread() != thread() || m_depth > 0)
            return QApplication::notify(receiver, event);
        // Named before it runs: the event may delete its receiver.
        Handler h{receiver->metaObject()->className(),
                  receiver->parent() ? receiver->parent()->metaObject()->className() : "", int(event->type()),
                  receiver->objectName()};
        const double wait0 = runQueueWaitMs();
        const qint64 wall0 = m_clock.nsecsElapsed();
        const double cpu0 = threadCpuMs();
        ++m_depth;
        const bool result = QApplication::notify(receiver, event);
        --m_depth;
        const double wall = double(m_clock.nsecsElapsed() - wall0) / 1e6, cpu = threadCpuMs() - cpu0;
        const double blocked = std::max(0.0, wall - cpu - (runQueueWaitMs() - wait0));
        Total &t = m_totals[h];
        ++t.count;
        t.cpuMs += cpu;
        t.maxCpuMs = std::max(t.maxCpuMs, cpu);
        t.maxWallMs = std::max(t.maxWallMs, wall);
        t.maxBlockedMs = std::max(t.maxBlockedMs, blocked);
        if (wall >= 1 || cpu >= 1)
            m_recent.push_back({h, wall, cpu, blocked});
        return result;
    }
    void setTiming(bool on) { m_on = on; }
    // The events of at least 1 ms since the last call, longest first.
    std::vector<Timed> takeRecent()
    {
        std::vector<Timed> r;
        r.swap(m_recent);
        std::sort(r.begin(), r.end(), [](const Timed &a, const Timed &b) { return a.wallMs > b.wallMs; });
        return r;
    }
    const QHash<Handler, Total> &totals() const { return m_totals; }

private:
    QElapsedTimer m_clock;
    QHash<Handler, Total> m_totals;
    std::vector<Timed> m_recent;
    int m_depth = 0;
    bool m_on = false;
};

} // namespace

int main(int argc, char *argv[])
{
#if defined(__GLIBC__)
    mallopt(M_ARENA_MAX, 4); // as the application does (app/main.cpp)
#endif
    TimedApplication app(argc, argv);
    int seconds = 30, rate = 50000, connections = 4, history = 360;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--seconds"))
            seconds = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--rate"))
            rate = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--connections"))
            connections = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--history"))
            history = args[i + 1].toInt();
    }
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir dir;
    EngineConfig c;
    c.listenPort = 0;
    c.dbPath = dir.filePath(QStringLiteral("stall.db"));

    // As the application runs the window (app/main.cpp runWindow): tray notifier, closing keeps running,
    // the session starts the engine on its thread and the window's Quit stops it there.
    MainWindow w;
    TrayNotifier tray;
    w.setTray(tray.trayIcon());
    w.setNotifier(&tray);
    QApplication::setQuitOnLastWindowClosed(false);
    DesktopSession session(c, &w, &tray);
    w.resize(1280, 800);

    std::atomic<bool> stop{false};
    std::atomic<qint64> sent{0};
    std::vector<QThread *> loaders;
    QObject::connect(&session, &DesktopSession::failed, &app, [](const QString &error) {
        std::fprintf(stderr, "engine: %s\n", qPrintable(error));
    });
    QObject::connect(&session, &DesktopSession::finished, &app, [&app](int rc) { app.exit(rc); });
    // The loaders end before the listener they talk to.
    QObject::connect(&w, &MainWindow::quitRequested, &app, [&] { stop = true; });

    // Heartbeat: the gap between ticks beyond the interval is how long the GUI thread was busy.
    constexpr int kBeatMs = 2;
    constexpr double kLongMs = 16;
    std::vector<double> stalls, own, busy;
    struct Long {
        double ms, ownMs, cpuMs, atS;
        QString view;
        std::vector<TimedApplication::Timed> what;
    };
    std::vector<Long> longStalls;
    QTabWidget *tabs = w.findChild<QTabWidget *>();
    auto *alertsArea = w.findChild<QTabWidget *>(QStringLiteral("alertsArea"));
    auto currentView = [&] {
        QString view = tabs->tabText(tabs->currentIndex());
        if (tabs->currentWidget() == alertsArea)
            view += QStringLiteral(" / ") + alertsArea->tabText(alertsArea->currentIndex());
        return view;
    };
    QElapsedTimer beat;
    qint64 last = 0;
    double lastCpu = 0, lastWait = 0;
    QTimer heartbeat;
    heartbeat.setObjectName(QStringLiteral("bench heartbeat"));
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(kBeatMs);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 now = beat.nsecsElapsed();
        const double cpu = threadCpuMs(), wait = runQueueWaitMs();
        std::vector<TimedApplication::Timed> what = app.takeRecent();
        if (last) {
            const double gap = std::max(0.0, double(now - last) / 1e6 - kBeatMs);
            stalls.push_back(gap);
            own.push_back(std::max(0.0, gap - (wait - lastWait)));
            busy.push_back(cpu - lastCpu);
            if (gap > kLongMs || busy.back() > kLongMs / 2) {
                what.resize(std::min<std::size_t>(what.size(), 3));
                longStalls.push_back({gap, own.back(), busy.back(), double(now) / 1e9, currentView(), std::move(what)});
            }
        }
        last = now;
        lastCpu = cpu;
        lastWait = wait;
    });

    // Every view in turn, 3 s each; the service view switches through its ranges (a chart refresh each).
    std::vector<double> chartMs;
    QElapsedTimer chartClock;
    QObject::connect(w.serviceView(), &ServiceView::timelinesLoaded, [&] {
        if (chartClock.isValid())
            chartMs.push_back(double(chartClock.nsecsElapsed()) / 1e6);
        chartClock.invalidate();
    });
    QWidget *const kViews[] = {w.servicesOverview(), w.serviceView(), w.logsView(), w.incidentsView(),
                               w.alertsView(), w.settingsView(), w.connectPanel()};
    int step = 0;
    QTimer cycle;
    cycle.setObjectName(QStringLiteral("bench: next view"));
    cycle.setInterval(3000);
    QTimer ranges;
    ranges.setObjectName(QStringLiteral("bench: next range"));
    ranges.setInterval(600);
    QObject::connect(&ranges, &QTimer::timeout, [&] {
        if (tabs->currentWidget() != w.serviceView())
            return ranges.stop();
        QComboBox *range = w.serviceView()->rangeBox();
        chartClock.start();
        range->setCurrentIndex((range->currentIndex() + 1) % 5); // 15 min … 7 days
    });
    QObject::connect(&cycle, &QTimer::timeout, [&] {
        QWidget *view = kViews[step % int(std::size(kViews))];
        ++step;
        if (view == w.serviceView()) {
            chartClock.start();
            w.openService(QStringLiteral("search"));
            ranges.start();
        } else if (view == w.incidentsView() || view == w.alertsView()) {
            tabs->setCurrentWidget(alertsArea);
            alertsArea->setCurrentWidget(view);
        } else {
            tabs->setCurrentWidget(view);
        }
    });

    QElapsedTimer total;
    auto measure = [&](quint16 port) {
        std::printf("measuring %d s at %d events/s\n", seconds, rate);
        std::fflush(stdout);
        for (int i = 0; i < connections; ++i) {
            loaders.push_back(QThread::create([&, port, i] { load(port, std::max(1, rate / connections), unsigned(i + 1), stop, sent); }));
            loaders.back()->start();
        }
        total.start();
        beat.start();
        app.setTiming(true);
        heartbeat.start();
        cycle.start();
        // The window's own Quit: a plain close would hide to the tray or ask.
        QTimer::singleShot(seconds * 1000, &w, &MainWindow::quit);
    };
    // History first, off the GUI thread; the measurement starts once the engine has analysed it.
    QThread *seeder = nullptr;
    QMetaObject::Connection waitForAnalysis;
    QObject::connect(&session, &DesktopSession::ready, &app, [&](const QString &address) {
        const auto port = quint16(address.section(QLatin1Char(':'), -1).toUInt());
        seeder = QThread::create([port, history] {
            static const char *kServices[] = {"checkout", "auth", "search", "ledger", "cart", "images"};
            TestHttpClient client(port);
            for (int s = 0; s < 6 && history > 0; ++s) {
                TrafficShape shape;
                shape.service = kServices[s];
                shape.minutes = history;
                shape.perMinute = 60;
                shape.recentMinutes = s == 0 ? 20 : 0; // checkout: slower and failing for the last 20 minutes
                shape.recentLatencyFactor = 5;
                shape.recentErrorShare = 0.2;
                shape.seed = unsigned(s + 1);
                if (const int status = client.post("/api/ingest/logs", generateTraffic(shape), "application/x-ndjson").status; status != 202)
                    std::fprintf(stderr, "history for %s: HTTP %d\n", kServices[s], status);
            }
        });
        QElapsedTimer waited;
        waited.start();
        QObject::connect(seeder, &QThread::finished, &app, [&, port, waited] {
            waitForAnalysis = QObject::connect(session.engine(), &EngineHost::statsUpdated, &app, [&, port, waited](const EngineStats &s) {
                const bool stored = s.logsStored >= qint64(history) * 60 * 6 && s.queueDepth == 0;
                if ((!stored || s.analysisLagEvents > 0 || s.analysisWarming) && waited.elapsed() < 120'000)
                    return;
                QObject::disconnect(waitForAnalysis);
                std::printf("history: %d min of 6 services stored and analysed in %.1f s\n", history, double(waited.elapsed()) / 1000);
                measure(port);
            });
        });
        seeder->start();
    });
    session.start();
    const int rc = app.exec();
    heartbeat.stop();
    app.setTiming(false);
    stop = true;
    if (seeder) {
        seeder->wait();
        delete seeder;
    }
    for (QThread *t : loaders) {
        t->wait();
        delete t;
    }
    if (rc != 0 || !total.isValid())
        return 1;
    const double elapsed = double(total.elapsed()) / 1000.0;
    std::printf("events sent: %lld (%.0f/s over %.0f s, %d connections)\n", static_cast<long long>(sent.load()),
                double(sent.load()) / elapsed, elapsed, connections);
    std::printf("GUI stall, wall: longest %.1f ms, p99 %.2f ms, p50 %.2f ms over %zu heartbeats\n", maxOf(stalls),
                percentile(stalls, 0.99), percentile(stalls, 0.5), stalls.size());
    std::printf("GUI stall, own (wall less waiting for a core): longest %.1f ms, p99 %.2f ms\n", maxOf(own), percentile(own, 0.99));
    std::printf("GUI thread CPU between heartbeats: longest %.1f ms, p99 %.2f ms\n", maxOf(busy), percentile(busy, 0.99));
    std::printf("service timelines, range chosen to drawn: max %.1f ms, p50 %.1f ms over %zu refreshes\n", maxOf(chartMs),
                percentile(chartMs, 0.5), chartMs.size());
    // The handlers that cost most at once, then the long gaps and what ran in them.
    QList<QPair<Handler, TimedApplication::Total>> totals;
    for (auto it = app.totals().begin(); it != app.totals().end(); ++it)
        totals.append({it.key(), it.value()});
    std::sort(totals.begin(), totals.end(), [](const auto &a, const auto &b) { return a.second.maxCpuMs > b.second.maxCpuMs; });
    std::printf("GUI-thread handlers by their longest CPU time (count, total CPU, longest CPU, longest wall, longest blocked):\n");
    for (const auto &[h, t] : totals.mid(0, 14))
        std::printf("  %6d %8.1f ms %6.1f ms %6.1f ms %6.1f ms  %s\n", t.count, t.cpuMs, t.maxCpuMs, t.maxWallMs, t.maxBlockedMs,
                    qPrintable(describe(h)));
    std::sort(longStalls.begin(), longStalls.end(), [](const Long &a, const Long &b) { return a.cpuMs > b.cpuMs; });
    std::printf("%zu gaps over %.0f ms wall or %.0f ms CPU; the longest in CPU:\n", longStalls.size(), kLongMs, kLongMs / 2);
    for (const Long &l : std::vector<Long>(longStalls.begin(), longStalls.begin() + std::min<std::ptrdiff_t>(12, std::ssize(longStalls)))) {
        std::printf("  %.1f ms wall, %.1f ms own, %.1f ms CPU at %.1f s on %s\n", l.ms, l.ownMs, l.cpuMs, l.atS, qPrintable(l.view));
        for (const TimedApplication::Timed &t : l.what)
            std::printf("      %.1f ms wall %.1f ms CPU %.1f ms blocked  %s\n", t.wallMs, t.cpuMs, t.blockedMs,
                        qPrintable(describe(t.handler)));
    }
    return 0;
}
