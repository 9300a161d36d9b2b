#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QSslCertificate>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <vector>

#include "scenario.h"
#include "trafficmodel.h"

namespace fg::inject {

class LogSender;

// Plays a scenario's traffic from `startMs` to `endMs` (event time) into a FlowGuard listener: in real
// time, or with `speedup` as fast as the listener acknowledges, one simulated minute per request so the
// event timestamps keep their real spacing and arrive in order. Owns the model and the sender; runs on
// the thread that created it, driven by its event loop (the CLI and an in-process demo alike).
class Injector final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Injector)
public:
    struct Options {
        QUrl url{QStringLiteral("http://127.0.0.1:4318")};
        QSslCertificate pinnedCertificate; // https: the listener's certificate, trusted as is
        TrafficModel::Options traffic;
        qint64 startMs = 0;
        qint64 endMs = 0;
        bool speedup = false;
        int maxInFlight = 2;
        qint64 timeoutMs = 600000; // wall-clock bound of the whole run
    };
    struct Summary {
        qint64 events = 0;
        qint64 requests = 0;
        qint64 accepted = 0;
        qint64 rejected = 0; // refused, given up on or dropped while the listener was away
        qint64 retries = 0;
        qint64 elapsedMs = 0;
        qint64 simulatedUpTo = 0;
        bool timedOut = false;
        QString lastError;
    };

    Injector(const Options &options, Scenario scenario, QObject *parent = nullptr);

    void start();
    void stop();
    bool running() const { return m_running; }
    // Requests sent and not yet answered (batches waiting for a retry are not).
    bool sending() const;
    Summary summary() const;
    const TrafficModel &model() const { return m_model; }
    const Scenario &scenario() const { return m_scenario; }

    // One request's worth at most; larger minutes (big --rate) are split.
    static constexpr int kMaxBatchEvents = 2000;

signals:
    void finished();

private:
    void pump();
    void release(qint64 upTo);
    void finish(bool timedOut);

    Options m_options;
    Scenario m_scenario;
    TrafficModel m_model;
    LogSender *m_sender;
    QTimer m_clock; // real time: wakes the pump every second
    QElapsedTimer m_elapsed;
    qint64 m_generatedUpTo = 0;
    std::vector<LogEvent> m_pending; // generated, not yet due (real time)
    std::deque<std::pair<QByteArray, int>> m_queue; // due bodies waiting for a free slot
    qint64 m_dropped = 0;
    bool m_running = false;
    bool m_timedOut = false;
};

} // namespace fg::inject
