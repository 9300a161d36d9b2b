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
    // Closed and open pieces of each service's minutes, by reference: this runs after every batch, so
    // the hour of sketches is not copied.
    std::map<std::string, std::multimap<TimeNs, const KpiRollup *>> pieces;
    for (const auto &[service, minutes] : m_closed)
        for (const auto &[start, k] : minutes)
            pieces[service].emplace(start, &k);
    for (const KpiRollup &k : openMinutes)
        pieces[k.service].emplace(k.start, &k);
    std::map<std::string, Windows> windows;
    for (const auto &[service, minutes] : pieces) {
        if (minutes.empty())
            continue;
        Windows w;
        w.newest = minutes.rbegin()->first;
        TimeNs counted = -1;
        for (auto it = minutes.rbegin(); it != minutes.rend(); ++it) {
            const TimeNs age = w.newest - it->first;
            if (age >= 60 * kMinute)
                break;
            const bool newMinute = it->first != counted;
            counted = it->first;
            w.lastHour.merge(*it->second);
            w.minutes60 += newMinute ? 1 : 0;
            if (age < 5 * kMinute) {
                w.last5Minutes.merge(*it->second);
                w.minutes5 += newMinute ? 1 : 0;
            }
            if (age == 0)
                w.lastMinute.merge(*it->second);
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

void LiveKpis::forgetServices(const std::string &prefix)
{
    auto match = [&prefix](const auto &entry) { return entry.first.starts_with(prefix); };
    std::erase_if(m_closed, match);
    std::lock_guard lock(m_mutex);
    std::erase_if(m_published, match);
}

} // namespace fg
