#include "injector.h"

#include <algorithm>

#include "logsender.h"

namespace fg::inject {

namespace {
constexpr qint64 kMinute = 60 * 1000;
// Real time with the listener away: keep about a quarter of an hour of due bodies, drop older ones.
constexpr std::size_t kMaxQueuedBodies = 1000;
} // namespace

Injector::Injector(const Options &options, Scenario scenario, QObject *parent)
    : QObject(parent), m_options(options), m_scenario(std::move(scenario)), m_model(options.traffic),
      m_sender(new LogSender(options.url, options.maxInFlight, options.pinnedCertificate, this))
{
    m_generatedUpTo = options.startMs - options.startMs % kMinute;
    connect(m_sender, &LogSender::ready, this, &Injector::pump);
    // Retries already waited out several seconds: the listener is gone, and the rest would fail alike.
    connect(m_sender, &LogSender::unreachable, this, &Injector::stop);
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, &Injector::pump);
}

void Injector::start()
{
    if (m_running)
        return;
    m_running = true;
    m_elapsed.start();
    m_clock.start(); // also enforces the timeout while a speedup run waits for replies
    QTimer::singleShot(0, this, &Injector::pump);
}

void Injector::stop()
{
    if (m_running)
        finish(false);
}

bool Injector::sending() const { return m_sender->awaitingReplies(); }

Injector::Summary Injector::summary() const
{
    const LogSender::Stats &s = m_sender->stats();
    Summary out;
    out.events = s.events;
    out.requests = s.requests;
    out.accepted = s.accepted;
    out.rejected = s.rejected + m_dropped;
    out.retries = s.retries;
    out.elapsedMs = m_elapsed.isValid() ? m_elapsed.elapsed() : 0;
    out.simulatedUpTo = std::min(m_generatedUpTo, m_options.endMs);
    out.timedOut = m_timedOut;
    out.lastError = s.lastError;
    return out;
}

void Injector::pump()
{
    if (!m_running)
        return;
    if (m_elapsed.elapsed() > m_options.timeoutMs) {
        finish(true);
        return;
    }
    const qint64 due = m_options.speedup ? m_options.endMs
                                         : std::min(m_options.endMs, m_options.startMs + m_elapsed.elapsed());
    // Each pass either sends a body or generates a minute; a speedup run yields to the event loop
    // whenever all slots are busy, so the bound only matters for a stalled clock.
    for (int pass = 0; pass < 10000 && m_sender->canSend(); ++pass) {
        if (!m_queue.empty()) {
            auto [body, events] = std::move(m_queue.front());
            m_queue.pop_front();
            m_sender->send(body, events);
            continue;
        }
        if (m_generatedUpTo >= m_options.endMs || m_generatedUpTo > due)
            break;
        m_model.generateMinute(m_generatedUpTo, m_scenario, m_pending);
        m_generatedUpTo += kMinute;
        // The first and last minutes may stick out of a window that is not minute-aligned.
        std::erase_if(m_pending, [this](const LogEvent &e) { return e.ts < m_options.startMs || e.ts >= m_options.endMs; });
        // Speedup sends each simulated minute as soon as it exists; real time only what is due.
        release(m_options.speedup ? m_generatedUpTo : due);
    }
    if (!m_options.speedup)
        release(due);
    while (m_queue.size() > kMaxQueuedBodies) {
        m_dropped += m_queue.front().second;
        m_queue.pop_front();
    }
    if (m_generatedUpTo >= m_options.endMs && m_pending.empty() && m_queue.empty() && m_sender->idle())
        finish(false);
}

void Injector::release(qint64 upTo)
{
    // Events come out sorted per route; the engine closes minutes by the largest event time it has seen,
    // so each batch goes out in time order.
    std::stable_sort(m_pending.begin(), m_pending.end(), [](const LogEvent &a, const LogEvent &b) { return a.ts < b.ts; });
    const auto split = std::partition_point(m_pending.begin(), m_pending.end(), [upTo](const LogEvent &e) { return e.ts < upTo; });
    for (auto it = m_pending.begin(); it != split;) {
        const auto stop = it + std::min<std::ptrdiff_t>(kMaxBatchEvents, split - it);
        QByteArray body = "[";
        for (auto e = it; e != stop; ++e) {
            if (e != it)
                body += ',';
            m_model.appendJson(*e, body);
        }
        body += ']';
        m_queue.emplace_back(std::move(body), int(stop - it));
        it = stop;
    }
    m_pending.erase(m_pending.begin(), split);
}

void Injector::finish(bool timedOut)
{
    m_running = false;
    m_timedOut = timedOut;
    m_clock.stop();
    emit finished();
}

} // namespace fg::inject
