#include "notificationcoalescer.h"

namespace fg {

bool NotificationCoalescer::admit(qint64 incidentId, const QString &service, qint64 nowMs)
{
    // Forget incidents quiet for long: the map stays as small as the recent storm.
    for (auto it = m_incidentSeenMs.begin(); it != m_incidentSeenMs.end();)
        it = nowMs - it->second > kRepeatMs ? m_incidentSeenMs.erase(it) : std::next(it);
    const bool repeat = incidentId > 0 && m_incidentSeenMs.count(incidentId);
    if (incidentId > 0)
        m_incidentSeenMs[incidentId] = nowMs;
    const bool quiet = m_lastShownMs < 0 || nowMs - m_lastShownMs >= m_quietMs;
    if (!repeat && quiet && m_held.count == 0) {
        m_lastShownMs = nowMs;
        return true;
    }
    ++m_held.count;
    if (!service.isEmpty() && !m_held.services.contains(service))
        m_held.services << service;
    if (incidentId > 0 && !m_held.incidents.contains(incidentId))
        m_held.incidents << incidentId;
    return false;
}

qint64 NotificationCoalescer::summaryDueMs() const
{
    return m_held.count == 0 ? 0 : std::max<qint64>(m_lastShownMs, 0) + m_quietMs;
}

NotificationCoalescer::Summary NotificationCoalescer::takeSummary(qint64 nowMs)
{
    Summary s = m_held;
    m_held = {};
    if (s.count > 0)
        m_lastShownMs = nowMs;
    return s;
}

} // namespace fg
