#include "decodepool.h"

#include <pthread.h>

#include <algorithm>
#include <string>

namespace fg {

DecodePool::DecodePool(int threads, int maxQueued) : m_maxQueued(std::max(1, maxQueued))
{
    const int n = std::max(1, threads);
    for (int i = 0; i < n; ++i)
        m_workers.push_back(std::make_unique<Worker>());
    for (int i = 0; i < n; ++i) {
        Worker &w = *m_workers[std::size_t(i)];
        w.thread = std::thread([this, &w, i] { run(w, i); });
        const std::string name = "fg-decode-" + std::to_string(i);
        pthread_setname_np(w.thread.native_handle(), name.c_str());
    }
}

DecodePool::~DecodePool() { stop(); }

bool DecodePool::tryRun(Task task, std::size_t orderKey)
{
    if (m_stopped.load(std::memory_order_relaxed))
        return false;
    if (m_queued.fetch_add(1) >= m_maxQueued) {
        m_queued.fetch_sub(1);
        m_refused.fetch_add(1, std::memory_order_relaxed);
        return false;
    }
    Worker *target = nullptr;
    if (orderKey != 0) {
        target = m_workers[std::hash<std::size_t>{}(orderKey) % m_workers.size()].get();
    } else {
        target = std::min_element(m_workers.begin(), m_workers.end(), [](const auto &a, const auto &b) {
                     return a->load.load(std::memory_order_relaxed) < b->load.load(std::memory_order_relaxed);
                 })->get();
    }
    {
        const std::lock_guard lock(target->mutex);
        if (target->stopping) {
            m_queued.fetch_sub(1);
            return false;
        }
        target->queue.push_back(std::move(task));
        target->load.fetch_add(1, std::memory_order_relaxed);
    }
    target->wake.notify_one();
    return true;
}

void DecodePool::run(Worker &worker, int index)
{
    for (;;) {
        Task task;
        {
            std::unique_lock lock(worker.mutex);
            worker.wake.wait(lock, [&] { return worker.stopping || !worker.queue.empty(); });
            if (worker.queue.empty())
                return; // stopping, and everything queued has run
            task = std::move(worker.queue.front());
            worker.queue.pop_front();
        }
        m_queued.fetch_sub(1);
        task(index);
        task = nullptr; // the request's buffers go before the worker counts as free
        worker.load.fetch_sub(1, std::memory_order_relaxed);
    }
}

void DecodePool::stop()
{
    if (m_stopped.exchange(true))
        return;
    for (auto &w : m_workers) {
        {
            const std::lock_guard lock(w->mutex);
            w->stopping = true;
        }
        w->wake.notify_one();
    }
    for (auto &w : m_workers)
        w->thread.join();
}

DecodePool::Stats DecodePool::stats() const
{
    Stats s;
    s.threads = threads();
    s.queued = m_queued.load();
    s.refused = m_refused.load();
    return s;
}

} // namespace fg
