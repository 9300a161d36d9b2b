#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace fg {

// Runs ingest decoding (inflate, parse, classify, tag) off the listener thread, so that one large body
// does not hold up the other clients. Workers are numbered: what a task keeps per worker (its decoders
// and their parser buffers) is indexed by that number and touched by that worker only. A task without an
// order key goes to the least busy worker; tasks with the same key go to one worker and run in the order
// they were queued (a decoder that keeps state between requests, one WebSocket client's messages). At
// most maxQueued tasks wait across the workers: beyond that tryRun refuses and the caller answers 503.
class DecodePool final {
public:
    static constexpr int kMaxQueued = 64;
    // Two, even on one core: while one worker decodes a large body the other keeps small requests moving
    // (the kernel shares the core); more would only compete with the listener, the writer and analysis.
    static constexpr int kDefaultThreads = 2;

    using Task = std::function<void(int worker)>;

    explicit DecodePool(int threads = kDefaultThreads, int maxQueued = kMaxQueued);
    ~DecodePool();
    DecodePool(const DecodePool &) = delete;
    DecodePool &operator=(const DecodePool &) = delete;

    int threads() const { return int(m_workers.size()); }
    // orderKey 0: any worker. False (the task is dropped) when the queue is full or the pool has stopped.
    bool tryRun(Task task, std::size_t orderKey = 0);
    // Refuses new tasks, runs those already queued, then joins the workers (shutdown). Idempotent.
    void stop();

    struct Stats {
        int threads = 0;
        int queued = 0;
        std::int64_t refused = 0; // tasks refused because the queue was full
    };
    Stats stats() const;

private:
    struct Worker {
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<Task> queue;
        bool stopping = false;
        std::atomic<int> load{0}; // queued + running, to pick the least busy worker
        std::thread thread;
    };
    void run(Worker &worker, int index);

    std::vector<std::unique_ptr<Worker>> m_workers;
    const int m_maxQueued;
    std::atomic<int> m_queued{0};
    std::atomic<bool> m_stopped{false};
    std::atomic<std::int64_t> m_refused{0};
};

} // namespace fg
