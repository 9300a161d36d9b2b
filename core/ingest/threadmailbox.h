#pragma once

#include <QObject>

#include <functional>
#include <memory>
#include <mutex>

namespace fg {

// Posts work from any thread to a QObject's thread for as long as that object lives: its owner calls
// detach() in its destructor (under the same mutex), after which posts are dropped. Posted events to a
// deleted receiver are discarded by Qt, so nothing runs on a dead object.
class ThreadMailbox final {
public:
    explicit ThreadMailbox(QObject *target) : m_target(target) {}
    void post(std::function<void()> work)
    {
        std::lock_guard lock(m_mutex);
        if (m_target)
            QMetaObject::invokeMethod(m_target, std::move(work), Qt::QueuedConnection);
    }
    void detach()
    {
        std::lock_guard lock(m_mutex);
        m_target = nullptr;
    }

private:
    std::mutex m_mutex;
    QObject *m_target;
};

} // namespace fg
