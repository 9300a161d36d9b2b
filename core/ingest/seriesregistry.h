#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "model/records.h"

namespace fg {

// The distinct metric series (service, name, tags) FlowGuard keeps, capped per service and in total:
// each series costs a row, an index entry and detector state, so a sender must not create unbounded work
// by inventing names or tag values. Seeded with the stored series at start; asked by every decode
// worker for each decoded item (thread-safe).
class SeriesRegistry final {
public:
    SeriesRegistry(int maxPerService, int maxTotal) : m_maxPerService(maxPerService), m_maxTotal(maxTotal) {}

    // Known at start (may exceed the caps if they were lowered).
    void seed(const std::string &service, const std::string &name, const std::string &tags);
    // The samples of one item, all or none: true when every series they name is known or fits under
    // both caps (the new ones are known from then on). Otherwise *message says which cap refused them.
    bool admit(const MetricSample *begin, const MetricSample *end, std::string *message);

    int count() const;
    int maxPerService() const { return m_maxPerService; }
    int maxTotal() const { return m_maxTotal; }
    std::int64_t refusedItems() const { return m_refused.load(std::memory_order_relaxed); }

private:
    static std::string key(const MetricSample &s);

    const int m_maxPerService;
    const int m_maxTotal;
    mutable std::mutex m_mutex;
    std::unordered_set<std::string> m_keys;
    std::unordered_map<std::string, int> m_perService;
    std::atomic<std::int64_t> m_refused{0};
};

} // namespace fg
