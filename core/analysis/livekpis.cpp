#include "livekpis.h"

namespace fg {

namespace {
constexpr TimeNs kMinute = 60 * kNsPerSec;
} // namespace

void LiveKpis::record(const KpiRollup &k)
{
    auto &minutes = m_closed[k.service];
    auto [it, fresh] = minutes.try_emplace(k.start, k);
    if (!fresh)
        it->second.merge(k);
    while (!minutes.empty() && minutes.begin()->first <= minutes.rbegin()->first - 60 * kMinute)
        minutes.erase(minutes.begin());
}

void LiveKpis::publish(const std::vector<KpiRollup> &openMinutes)
{
    // Closed and open minutes together, per service.
    std::map<std::string, std::map<TimeNs, KpiRollup>> all = m_closed;
    for (const KpiRollup &k : openMinutes) {
        auto [it, fresh] = all[k.service].try_emplace(k.start, k);
        if (!fresh)
            it->second.merge(k);
    }
    std::map<std::string, Windows> windows;
    for (const auto &[service, minutes] : all) {
        if (minutes.empty())
            continue;
        Windows w;
        w.newest = minutes.rbegin()->first;
        for (auto it = minutes.rbegin(); it != minutes.rend(); ++it) {
            const TimeNs age = w.newest - it->first;
            if (age >= 60 * kMinute)
                break;
            w.lastHour.merge(it->second);
            ++w.minutes60;
            if (age < 5 * kMinute) {
                w.last5Minutes.merge(it->second);
                ++w.minutes5;
            }
            if (age == 0)
                w.lastMinute.merge(it->second);
        }
        windows.emplace(service, std::move(w));
    }
    std::lock_guard lock(m_mutex);
    m_published = std::move(windows);
}

std::map<std::string, LiveKpis::Windows> LiveKpis::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_published;
}

} // namespace fg
