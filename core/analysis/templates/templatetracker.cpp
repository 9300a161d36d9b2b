#include "templatetracker.h"

#include <limits>

namespace fg {

namespace {
constexpr TimeNs kMinute = 60 * kNsPerSec;
constexpr std::size_t kMaxSample = 512;
} // namespace

TemplateTracker::TemplateTracker(std::size_t maxServices, DrainMiner::Params params)
    : m_maxServices(maxServices), m_params(params)
{
}

DrainMiner *TemplateTracker::minerFor(const std::string &service)
{
    auto it = m_miners.find(service);
    if (it != m_miners.end())
        return &it->second;
    if (m_miners.size() >= m_maxServices) {
        ++m_overflowServices;
        return nullptr;
    }
    return &m_miners.emplace(service, DrainMiner(m_params)).first->second;
}

std::int64_t TemplateTracker::add(const LogRecord &r)
{
    DrainMiner *miner = minerFor(r.service);
    if (!miner)
        return 0;
    const DrainMiner::Match m = miner->add(r.message);
    if (!m.id)
        return 0;
    TemplateUpdate &u = m_updates[{r.service, m.id}];
    if (u.count == 0) {
        u.service = r.service;
        u.id = m.id;
        u.firstSeen = u.lastSeen = r.ts;
        u.sample = r.message.substr(0, kMaxSample);
    }
    if (u.count == 0 || m.changed)
        u.text = miner->find(m.id)->text();
    ++u.count;
    u.maxLevel = std::max(u.maxLevel, r.level);
    u.firstSeen = std::min(u.firstSeen, r.ts);
    u.lastSeen = std::max(u.lastSeen, r.ts);
    const TimeNs minute = r.ts - r.ts % kMinute;
    ++m_minutes[{r.service, m.id, minute}];
    const TimeNs since = m_serviceSince.try_emplace(r.service, r.ts).first->second;
    if (m.created && r.level >= Level::Error && r.ts - since >= kWarmupMinutes * kMinute)
        m_candidates[{r.service, m.id}] = {r.ts, -1, 0};
    if (r.level >= Level::Error) {
        const auto c = m_candidates.find({r.service, m.id});
        if (c != m_candidates.end()) {
            if (r.ts - c->second.firstSeen > kConfirmMinutes * kMinute) {
                m_candidates.erase(c); // it did not recur in time: a one-off
            } else if (c->second.lastMinute != minute) {
                c->second.lastMinute = minute;
                if (++c->second.minutes >= kMinOccurrences) {
                    m_newErrors[{r.service, minute}].push_back(u.text);
                    m_candidates.erase(c);
                }
            }
        }
    }
    return m.id;
}

void TemplateTracker::restore(const std::string &service, std::int64_t id, const std::string &text)
{
    if (DrainMiner *miner = minerFor(service))
        miner->restore(id, text);
    m_serviceSince[service] = std::numeric_limits<TimeNs>::min() / 2; // known from before: warm
}

std::vector<TemplateUpdate> TemplateTracker::takeUpdates()
{
    std::vector<TemplateUpdate> out;
    out.reserve(m_updates.size());
    for (auto &[key, u] : m_updates)
        out.push_back(std::move(u));
    m_updates.clear();
    return out;
}

std::vector<TemplateMinute> TemplateTracker::takeMinuteCounts()
{
    std::vector<TemplateMinute> out;
    out.reserve(m_minutes.size());
    for (const auto &[key, n] : m_minutes)
        out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
    m_minutes.clear();
    return out;
}

std::vector<std::string> TemplateTracker::takeNewErrorTemplates(const std::string &service, TimeNs minute)
{
    auto it = m_newErrors.find({service, minute});
    if (it == m_newErrors.end())
        return {};
    std::vector<std::string> out = std::move(it->second);
    m_newErrors.erase(it);
    return out;
}

void TemplateTracker::forgetNewErrorsBefore(const std::string &service, TimeNs minute)
{
    auto it = m_newErrors.lower_bound({service, 0});
    while (it != m_newErrors.end() && it->first.first == service && it->first.second < minute)
        it = m_newErrors.erase(it);
    // Candidates that can no longer recur in time.
    for (auto c = m_candidates.lower_bound({service, 0}); c != m_candidates.end() && c->first.first == service;)
        c = c->second.firstSeen < minute - kConfirmMinutes * kMinute ? m_candidates.erase(c) : std::next(c);
}

std::uint64_t TemplateTracker::overflow() const
{
    std::uint64_t n = m_overflowServices;
    for (const auto &[service, miner] : m_miners)
        n += miner.overflow();
    return n;
}

void TemplateTracker::forgetServices(const std::string &prefix)
{
    auto byName = [&prefix](const auto &entry) { return entry.first.starts_with(prefix); };
    auto byKey = [&prefix](const auto &entry) { return std::get<0>(entry.first).starts_with(prefix); };
    std::erase_if(m_miners, byName);
    std::erase_if(m_serviceSince, byName);
    std::erase_if(m_updates, byKey);
    std::erase_if(m_minutes, byKey);
    std::erase_if(m_newErrors, byKey);
    std::erase_if(m_candidates, byKey);
}

} // namespace fg
