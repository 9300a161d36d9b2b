#include "ingestrate.h"

namespace fg {

void IngestRate::add(qint64 accepted, qint64 nowMs)
{
    if (!m_samples.empty() && accepted < m_samples.back().accepted)
        m_samples.clear(); // a restarted engine counts from zero again
    m_samples.push_back({accepted, nowMs});
    // Keep one sample at or before the window's start so the rate spans the whole window.
    while (m_samples.size() > 2 && m_samples[1].atMs <= nowMs - kWindowMs)
        m_samples.pop_front();
}

double IngestRate::perSecond() const
{
    if (m_samples.size() < 2 || m_samples.back().atMs <= m_samples.front().atMs)
        return 0;
    return double(m_samples.back().accepted - m_samples.front().accepted) * 1000.0
           / double(m_samples.back().atMs - m_samples.front().atMs);
}

} // namespace fg
