#include "kpiaggregator.h"

#include "endpointnormalizer.h"

namespace fg {

namespace {
const std::string kOther = "{other}";

void count(KpiRollup &k, const LogRecord &r, bool isRequest, bool isError)
{
    ++k.events;
    k.errorEvents += r.level >= Level::Error ? 1 : 0;
    if (isError)
        k.noteErrorTrace(r.traceId);
    if (isRequest) {
        ++k.requests;
        k.requestErrors += isError ? 1 : 0;
        if (!std::isnan(r.latencyMs))
            k.latency.add(r.latencyMs);
    }
}
} // namespace

KpiAggregator::KpiAggregator(Limits limits) : m_limits(limits) {}

KpiAggregator::ServiceState *KpiAggregator::stateFor(const std::string &service)
{
    auto it = m_services.find(service);
    if (it != m_services.end())
        return &it->second;
    if (m_services.size() >= m_limits.maxServices) {
        ++m_overflowServices;
        auto other = m_services.find(kOther);
        if (other != m_services.end())
            return &other->second;
        return &m_services[kOther];
    }
    return &m_services[service];
}

std::string KpiAggregator::routeFor(ServiceState &s, const std::string &endpoint)
{
    std::string route = normalizeEndpoint(endpoint);
    if (s.endpoints.count(route))
        return route;
    if (s.endpoints.size() >= m_limits.maxEndpointsPerService) {
        ++m_overflowEndpoints;
        return kOther;
    }
    s.endpoints.emplace(route, true);
    return route;
}

void KpiAggregator::add(const LogRecord &r)
{
    ServiceState *s = stateFor(r.service);
    const std::string &serviceName = m_services.count(r.service) ? r.service : kOther;
    const bool isRequest = r.statusCode != 0 || !std::isnan(r.latencyMs) || !r.method.empty();
    const bool isError = r.statusCode >= 500 || r.level >= Level::Error;
    const TimeNs start = r.ts - r.ts % m_limits.step;
    // Future-dated events cannot drag the watermark past what has actually been received.
    s->maxEvent = std::max(s->maxEvent, std::min(r.ts, r.received));
    s->lastReceived = std::max(s->lastReceived, r.received);
    auto &target = start < s->closedUpTo ? s->late : s->open;
    auto place = [&](const std::string &endpoint) {
        KpiRollup &k = target[{start, endpoint}];
        if (k.events == 0) {
            k.service = serviceName;
            k.endpoint = endpoint;
            k.start = start;
        }
        count(k, r, isRequest, isError);
    };
    place(std::string());
    if (!r.endpoint.empty())
        place(routeFor(*s, r.endpoint));
}

std::vector<KpiRollup> KpiAggregator::takeClosed(TimeNs wallNow)
{
    std::vector<KpiRollup> out;
    for (auto &[name, s] : m_services) {
        TimeNs watermark = s.maxEvent - m_limits.lateness;
        // Silent for longer than the allowance: close what is open by the wall clock.
        if (wallNow - s.lastReceived > m_limits.lateness + m_limits.step && !s.open.empty())
            watermark = std::max(watermark, s.open.rbegin()->first.first + m_limits.step);
        auto it = s.open.begin();
        while (it != s.open.end() && it->first.first + m_limits.step <= watermark) {
            out.push_back(std::move(it->second));
            it = s.open.erase(it);
        }
        // Minutes starting before the aligned watermark are closed; events for them are late from now on.
        if (watermark > 0)
            s.closedUpTo = std::max(s.closedUpTo, watermark - watermark % m_limits.step);
        for (auto &[key, k] : s.late) {
            k.late = true;
            out.push_back(std::move(k));
        }
        s.late.clear();
    }
    return out;
}

std::vector<KpiRollup> KpiAggregator::peekOpenServiceMinutes() const
{
    std::vector<KpiRollup> out;
    for (const auto &[name, s] : m_services)
        for (const auto &[key, k] : s.open)
            if (key.second.empty())
                out.push_back(k);
    return out;
}

std::vector<KpiRollup> KpiAggregator::takeAll()
{
    std::vector<KpiRollup> out;
    for (auto &[name, s] : m_services) {
        for (auto &[key, k] : s.open)
            out.push_back(std::move(k));
        for (auto &[key, k] : s.late)
            out.push_back(std::move(k));
        s.open.clear();
        s.late.clear();
    }
    return out;
}

std::map<std::string, TimeNs> KpiAggregator::lastReceived() const
{
    std::map<std::string, TimeNs> out;
    for (const auto &[service, state] : m_services)
        out.emplace(service, state.lastReceived);
    return out;
}

void KpiAggregator::forgetServices(const std::string &prefix)
{
    std::erase_if(m_services, [&prefix](const auto &entry) { return entry.first.starts_with(prefix); });
}

} // namespace fg
