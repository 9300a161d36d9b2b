#include "livefeed.h"

namespace fg {

void LiveFeed::publish(const IngestBatch &batch)
{
    if (!m_wanted.load(std::memory_order_relaxed))
        return;
    std::int64_t errors = 0;
    for (const LogRecord &r : batch.logs)
        errors += r.level >= Level::Error ? 1 : 0;
    // Evenly spread over the batch when it holds more than kPerBatch logs.
    const std::size_t n = batch.logs.size();
    const std::size_t stride = n > kPerBatch ? (n + kPerBatch - 1) / kPerBatch : 1;
    std::vector<LogRecord> copies;
    copies.reserve(std::min(n, kPerBatch));
    for (std::size_t i = 0; i < n; i += stride)
        copies.push_back(batch.logs[i]);
    std::lock_guard lock(m_mutex);
    m_counts.committedLogs += std::int64_t(n);
    m_counts.committedErrors += errors;
    m_counts.committedPoints += std::int64_t(batch.metrics.size());
    m_counts.sampledOut += std::int64_t(n - copies.size());
    for (LogRecord &r : copies) {
        if (m_logs.size() == kCapacity) {
            m_logs.pop_front();
            ++m_counts.sampledOut;
        }
        m_logs.push_back(std::move(r));
    }
}

LiveFeed::Taken LiveFeed::take()
{
    std::lock_guard lock(m_mutex);
    Taken out = std::move(m_counts);
    m_counts = Taken{};
    out.logs.assign(std::make_move_iterator(m_logs.begin()), std::make_move_iterator(m_logs.end()));
    m_logs.clear();
    return out;
}

} // namespace fg
