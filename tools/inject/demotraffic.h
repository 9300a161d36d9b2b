#pragma once

#include <QMutex>
#include <QObject>
#include <QThread>
#include <QUrl>

#include "injector.h"

namespace fg::inject {

// Demo traffic for a FlowGuard listener, played over real HTTP from its own thread: first the last
// `backfillMs` of quiet history as fast as the listener takes it (so baselines and charts have something
// to show), then live traffic in real time with an incident every `scenarioEveryMs` (Scenario::demo), in
// 24-hour legs until stopped. Services are named `servicePrefix` + name and events carry
// attributes.demo=true. `accelerated` (tests) plays the live part as fast as the backfill, ending after
// `liveMs`. Created and driven from one thread (the GUI's); the traffic never touches it.
class DemoTraffic final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoTraffic)
public:
    struct Options {
        QUrl url{QStringLiteral("http://127.0.0.1:4318")};
        QSslCertificate pinnedCertificate; // https: the listener's certificate, trusted as is
        QString servicePrefix = QStringLiteral("demo-");
        int services = 5;
        int endpoints = 3;
        double rate = 3;
        quint64 seed = 7;
        qint64 backfillMs = 60LL * 60 * 1000;
        qint64 scenarioEveryMs = 4LL * 60 * 1000;
        qint64 liveMs = 24LL * 3600 * 1000;
        qint64 startMs = 0; // where the backfill starts; 0: backfillMs before now
        bool accelerated = false;
    };
    struct Totals {
        qint64 events = 0;
        qint64 accepted = 0;
        qint64 rejected = 0;
        qint64 simulatedUpTo = 0; // event time reached
        QString lastError;
    };

    explicit DemoTraffic(Options options, QObject *parent = nullptr);
    ~DemoTraffic() override; // stops and joins the thread

    void start();
    // Asynchronous: stops sending, waits (at most 5 s) for the answers to what was sent, then ends the
    // thread; runningChanged(false) follows.
    void stop();
    bool running() const { return m_running; }
    Totals totals() const; // any thread

signals:
    void runningChanged(bool running);

private:
    // Traffic thread: one leg after the other.
    void runLeg(qint64 startMs, qint64 endMs, bool speedup, bool incidents);
    void legFinished(Injector *leg);
    void drainAndQuit(); // traffic thread: stop sending, wait for the answers, end
    void addTotals(const Injector::Summary &s);
    void threadFinished(); // owner's thread

    Options m_options;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread
    Injector *m_leg = nullptr;    // traffic thread only
    qint64 m_liveEnd = 0;         // traffic thread only
    qint64 m_legEnd = 0;          // traffic thread only
    bool m_draining = false;      // traffic thread only (reset by start() before the thread runs)
    bool m_running = false;       // owner's thread
    mutable QMutex m_mutex;
    Totals m_totals; // under m_mutex: finished legs plus the running one's last summary
};

} // namespace fg::inject
