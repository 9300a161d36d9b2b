// ui_stall: how long the GUI thread stalls while the window shows every view in turn and a loader sends
// mixed traffic to the same in-process engine. A 2 ms heartbeat timer on the GUI thread measures the
// gaps (and how much of each gap was the GUI thread's own CPU time, as opposed to waiting for a core);
// the service view's timelines are timed from the range request to drawn. Run offscreen or under
// Xvfb: ui_stall [--seconds 30] [--rate 50000] [--connections 4]

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <random>
#include <vector>

#include "engine/engine.h"
#include "mainwindow.h"
#include "serviceview.h"
#include "testhttpclient.h"

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
        }
        const qint64 due = done * 1000 / perSecond;
        if (const qint64 ahead = due - clock.elapsed(); ahead > 0)
            QThread::msleep(quint64(ahead));
    }
}

// CPU time the calling thread has used, in ms: a gap in the heartbeat with little CPU time is the
// scheduler (other threads on few cores), not work on the GUI thread.
double threadCpuMs()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    int seconds = 30, rate = 50000, connections = 4;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--seconds"))
            seconds = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--rate"))
            rate = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--connections"))
            connections = args[i + 1].toInt();
    }
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir dir;
    EngineConfig c;
    c.listenPort = 0;
    c.dbPath = dir.filePath(QStringLiteral("stall.db"));
    Engine engine(c);
    QString err;
    if (!engine.start(&err)) {
        std::fprintf(stderr, "engine: %s\n", qPrintable(err));
        return 1;
    }
    MainWindow w;
    w.setApi([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                       std::function<void(const HttpResponse &)> done) {
        engine.callApi(method, target, body, context, std::move(done));
    });
    QObject::connect(&engine, &Engine::statsUpdated, &w, &MainWindow::showStats);
    w.resize(1280, 800);
    w.show();

    std::atomic<bool> stop{false};
    std::atomic<qint64> sent{0};
    std::vector<QThread *> loaders;
    for (int i = 0; i < connections; ++i) {
        loaders.push_back(QThread::create([&, i] { load(engine.port(), std::max(1, rate / connections), unsigned(i + 1), stop, sent); }));
        loaders.back()->start();
    }

    // Heartbeat: the gap between ticks beyond the interval is how long the GUI thread was busy.
    constexpr int kBeatMs = 2;
    std::vector<double> stalls, busy;
    double lastCpu = 0;
    struct Long {
        double ms;
        double cpuMs;
        double atS;
        QString view;
    };
    std::vector<Long> longStalls; // over 16 ms: when, and on which view
    QTabWidget *tabsForReport = nullptr;
    QElapsedTimer beat;
    beat.start();
    qint64 last = 0;
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(kBeatMs);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 now = beat.nsecsElapsed();
        const double cpu = threadCpuMs();
        if (last) {
            stalls.push_back(std::max(0.0, double(now - last) / 1e6 - kBeatMs));
            busy.push_back(cpu - lastCpu);
            if (stalls.back() > 16 && tabsForReport)
                longStalls.push_back({stalls.back(), busy.back(), double(now) / 1e9,
                                      tabsForReport->tabText(tabsForReport->currentIndex())});
        }
        last = now;
        lastCpu = cpu;
    });
    heartbeat.start();

    // Every view in turn, 3 s each; the service view also switches ranges (a chart refresh each time).
    auto *tabs = w.findChild<QTabWidget *>();
    tabsForReport = tabs;
    std::vector<double> chartMs;
    QElapsedTimer chartClock;
    QObject::connect(w.serviceView(), &ServiceView::timelinesLoaded, [&] {
        if (chartClock.isValid())
            chartMs.push_back(double(chartClock.nsecsElapsed()) / 1e6);
        chartClock.invalidate();
    });
    int step = 0;
    QTimer cycle;
    cycle.setInterval(3000);
    QObject::connect(&cycle, &QTimer::timeout, [&] {
        const int view = step % tabs->count();
        if (view == 1) {
            w.openService(QStringLiteral("search"));
            chartClock.start();
            w.serviceView()->rangeBox()->setCurrentIndex((step / tabs->count()) % 4);
        } else {
            tabs->setCurrentIndex(view);
        }
        ++step;
    });
    cycle.start();
    // The window's own Quit: a bare quit() would be refused by the window (it asks before closing).
    QObject::connect(&w, &MainWindow::quitRequested, &app, &QCoreApplication::quit);
    QTimer::singleShot(seconds * 1000, &w, &MainWindow::quit);
    QElapsedTimer total;
    total.start();
    app.exec();
    heartbeat.stop();
    stop = true;
    for (QThread *t : loaders) {
        t->wait();
        delete t;
    }
    const double elapsed = double(total.elapsed()) / 1000.0;
    std::printf("events sent: %lld (%.0f/s over %.0f s, %d connections)\n", static_cast<long long>(sent.load()),
                double(sent.load()) / elapsed, elapsed, connections);
    std::printf("GUI stall: longest %.1f ms, p99 %.2f ms, p50 %.2f ms over %zu heartbeats\n",
                stalls.empty() ? 0.0 : *std::max_element(stalls.begin(), stalls.end()), percentile(stalls, 0.99),
                percentile(stalls, 0.5), stalls.size());
    std::printf("service timelines, range chosen to drawn: max %.1f ms, p50 %.1f ms over %zu refreshes\n",
                chartMs.empty() ? 0.0 : *std::max_element(chartMs.begin(), chartMs.end()), percentile(chartMs, 0.5),
                chartMs.size());
    std::printf("GUI thread busy between heartbeats (CPU time): longest %.1f ms, p99 %.2f ms\n",
                busy.empty() ? 0.0 : *std::max_element(busy.begin(), busy.end()), percentile(busy, 0.99));
    for (const Long &l : longStalls)
        std::printf("  stall %.1f ms (%.1f ms of it on the GUI thread's CPU) at %.1f s on %s\n", l.ms, l.cpuMs, l.atS,
                    qPrintable(l.view));
    engine.stop();
    return 0;
}
