#pragma once

#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace fg {

// The distinct services FlowGuard keeps, capped: storage, queries, detectors and health all cost per
// service, so a sender must not create unbounded work by inventing names. Seeded with the stored
// services at start; asked by every decode worker for each decoded item (thread-safe).
class ServiceRegistry final {
public:
    explicit ServiceRegistry(int maxServices) : m_max(maxServices) {}

    // Known at start (does not count against refusals; may exceed the cap if it was lowered).
    void seed(const std::string &name);
    // True when the service is known, or new and still under the cap (it is then known from now on).
    bool admit(std::string_view name);

    int count() const;
    int max() const { return m_max; }
    std::int64_t refusedItems() const { return m_refused.load(std::memory_order_relaxed); }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    const int m_max;
    mutable std::shared_mutex m_mutex;
    std::unordered_set<std::string, Hash, std::equal_to<>> m_names;
    std::atomic<std::int64_t> m_refused{0};
};

// The item error of a refused new service.
std::string serviceLimitMessage(int maxServices);

} // namespace fg
