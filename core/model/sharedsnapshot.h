#pragma once

#include <memory>
#include <mutex>

namespace fg {

// A value shared across threads by snapshot: readers take the current shared_ptr and keep it for a whole
// pass; a writer swaps in a new one. Nobody ever sees a half-changed value.
template <typename T>
class SharedSnapshot {
public:
    std::shared_ptr<const T> current() const
    {
        std::lock_guard lock(m_mutex);
        return m_value;
    }
    void set(std::shared_ptr<const T> value)
    {
        std::lock_guard lock(m_mutex);
        m_value = std::move(value);
    }
    void set(T value) { set(std::make_shared<const T>(std::move(value))); }

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const T> m_value = std::make_shared<const T>();
};

} // namespace fg
