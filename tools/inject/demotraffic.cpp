#include "demotraffic.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QMutexLocker>
#include <QTimer>

#include <algorithm>

#include "scenario.h"

namespace fg::inject {

namespace {
constexpr qint64 kDayMs = 24LL * 3600 * 1000;
constexpr qint64 kDrainMs = 5000;
}

DemoTraffic::DemoTraffic(Options options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    m_thread.setObjectName(QStringLiteral("fg-demo"));
    connect(&m_thread, &QThread::finished, this, &DemoTraffic::threadFinished);
}

DemoTraffic::~DemoTraffic()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            delete m_leg;
            m_leg = nullptr;
            m_thread.quit();
        },
        Qt::BlockingQueuedConnection);
    m_thread.wait();
}

void DemoTraffic::start()
{
    if (m_running)
        return;
    m_running = true;
    m_draining = false;
    emit runningChanged(true);
    {
        QMutexLocker lock(&m_mutex);
        m_totals = {};
    }
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 backfillStart = m_options.startMs ? m_options.startMs : now - m_options.backfillMs;
    const qint64 liveStart = backfillStart + m_options.backfillMs;
    QMetaObject::invokeMethod(m_context, [this, backfillStart, liveStart] {
        m_liveEnd = liveStart + m_options.liveMs;
        if (m_options.backfillMs > 0)
            runLeg(backfillStart, liveStart, true, false);
        else
            runLeg(liveStart, std::min(m_liveEnd, liveStart + kDayMs), m_options.accelerated, true);
    });
}

void DemoTraffic::stop()
{
    if (!m_running || !m_context)
        return;
    // On the traffic thread, without waiting for it; threadFinished says when it has ended.
    QMetaObject::invokeMethod(m_context, [this] { drainAndQuit(); });
}

void DemoTraffic::drainAndQuit()
{
    if (!m_leg)
        return m_thread.quit();
    if (m_draining)
        return;
    m_draining = true;
    m_leg->disconnect(m_context); // no next leg
    m_leg->stop();
    // Requests on the wire are answered first (bounded), so that their events are stored before what the
    // owner does next: Clear demo data must come after every demo event, not beside one. Batches waiting
    // for a retry are dropped with the leg.
    QElapsedTimer waited;
    waited.start();
    auto *poll = new QTimer(m_context);
    poll->setInterval(20);
    connect(poll, &QTimer::timeout, m_context, [this, poll, waited] {
        if (m_leg && m_leg->sending() && waited.elapsed() < kDrainMs)
            return;
        poll->stop();
        if (m_leg)
            addTotals(m_leg->summary());
        delete m_leg;
        m_leg = nullptr;
        m_thread.quit();
    });
    poll->start();
}

void DemoTraffic::threadFinished()
{
    m_thread.wait(); // returns at once: the thread has ended
    m_context = nullptr;
    if (m_running) {
        m_running = false;
        emit runningChanged(false);
    }
}

void DemoTraffic::addTotals(const Injector::Summary &s)
{
    QMutexLocker lock(&m_mutex);
    m_totals.events += s.events;
    m_totals.accepted += s.accepted;
    m_totals.rejected += s.rejected;
    m_totals.simulatedUpTo = std::max(m_totals.simulatedUpTo, s.simulatedUpTo);
    if (!s.lastError.isEmpty())
        m_totals.lastError = s.lastError;
}

DemoTraffic::Totals DemoTraffic::totals() const
{
    QMutexLocker lock(&m_mutex);
    return m_totals;
}

void DemoTraffic::runLeg(qint64 startMs, qint64 endMs, bool speedup, bool incidents)
{
    Injector::Options o;
    o.url = m_options.url;
    o.pinnedCertificate = m_options.pinnedCertificate;
    o.traffic.services = m_options.services;
    o.traffic.endpoints = m_options.endpoints;
    o.traffic.rate = m_options.rate;
    o.traffic.seed = m_options.seed + quint64(startMs / 60000); // each leg its own randomness
    o.traffic.servicePrefix = m_options.servicePrefix;
    o.traffic.demoTag = true;
    o.startMs = startMs;
    o.endMs = endMs;
    o.speedup = speedup;
    o.timeoutMs = speedup ? 600000 : endMs - startMs + 600000;
    Scenario::Layout layout{m_options.services, m_options.endpoints, startMs, endMs, o.traffic.seed};
    Scenario scenario = incidents ? Scenario::demo(layout, m_options.scenarioEveryMs) : Scenario();
    m_leg = new Injector(o, std::move(scenario));
    m_legEnd = endMs;
    Injector *leg = m_leg;
    connect(leg, &Injector::finished, m_context, [this, leg] { legFinished(leg); }, Qt::QueuedConnection);
    leg->start();
}

void DemoTraffic::legFinished(Injector *leg)
{
    if (leg != m_leg || m_draining) // a stopping leg is summed up and deleted by drainAndQuit
        return;
    const Injector::Summary s = leg->summary();
    addTotals(s);
    m_leg = nullptr;
    leg->deleteLater();
    // A leg that gave up (the listener went away or refuses everything) ends the demo; otherwise the next one.
    const bool gaveUp = s.timedOut || s.simulatedUpTo < m_legEnd || (s.events > 0 && s.accepted == 0);
    if (gaveUp || m_legEnd >= m_liveEnd)
        return m_thread.quit();
    runLeg(m_legEnd, std::min(m_liveEnd, m_legEnd + kDayMs), m_options.accelerated, true);
}

} // namespace fg::inject
