#include "seriesregistry.h"

namespace fg {

std::string SeriesRegistry::key(const MetricSample &s)
{
    // Neither a service name nor the canonical tags' JSON holds a NUL, so the parts cannot run into each other.
    std::string k;
    k.reserve(s.service.size() + s.name.size() + s.tags.size() + 2);
    k.append(s.service).push_back('\0');
    k.append(s.name).push_back('\0');
    k.append(s.tags);
    return k;
}

void SeriesRegistry::seed(const std::string &service, const std::string &name, const std::string &tags)
{
    MetricSample s;
    s.service = service;
    s.name = name;
    s.tags = tags;
    const std::lock_guard lock(m_mutex);
    if (m_keys.insert(key(s)).second)
        ++m_perService[service];
}

bool SeriesRegistry::admit(const MetricSample *begin, const MetricSample *end, std::string *message)
{
    std::unordered_set<std::string> fresh;
    const std::lock_guard lock(m_mutex);
    // A set: a snapshot may repeat a field name, and each new series counts once.
    for (const MetricSample *s = begin; s != end; ++s)
        if (std::string k = key(*s); !m_keys.count(k))
            fresh.insert(std::move(k));
    if (fresh.empty())
        return true;
    // One item's samples share their service (a KPI snapshot is one service's fields).
    const auto known = m_perService.find(begin->service);
    const std::size_t perService = known == m_perService.end() ? 0 : std::size_t(known->second);
    const bool overService = perService + fresh.size() > std::size_t(m_maxPerService);
    if (overService || m_keys.size() + fresh.size() > std::size_t(m_maxTotal)) {
        m_refused.fetch_add(1, std::memory_order_relaxed);
        *message = overService
                       ? "a new metric series is refused: service '" + begin->service + "' already has "
                             + std::to_string(m_maxPerService)
                             + " series (max_series_per_service; raise --max-series-per-service)"
                       : "a new metric series is refused: FlowGuard already keeps " + std::to_string(m_maxTotal)
                             + " series (max_series; raise --max-series)";
        return false;
    }
    m_perService[begin->service] += int(fresh.size());
    m_keys.merge(fresh);
    return true;
}

int SeriesRegistry::count() const
{
    const std::lock_guard lock(m_mutex);
    return int(m_keys.size());
}

} // namespace fg
