#include "serviceregistry.h"

#include <mutex>

namespace fg {

void ServiceRegistry::seed(const std::string &name)
{
    const std::unique_lock lock(m_mutex);
    m_names.insert(name);
}

bool ServiceRegistry::admit(std::string_view name)
{
    {
        const std::shared_lock lock(m_mutex);
        if (m_names.find(name) != m_names.end())
            return true;
    }
    const std::unique_lock lock(m_mutex);
    if (m_names.find(name) != m_names.end())
        return true;
    if (int(m_names.size()) >= m_max) {
        m_refused.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    m_names.emplace(name);
    return true;
}

int ServiceRegistry::count() const
{
    const std::shared_lock lock(m_mutex);
    return int(m_names.size());
}

std::string serviceLimitMessage(int maxServices)
{
    return "a new service is refused: FlowGuard already keeps " + std::to_string(maxServices)
           + " services (max_services; raise --max-services)";
}

} // namespace fg
