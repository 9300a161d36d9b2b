#pragma once

#include <QtGlobal>

#include <deque>

namespace fg {

// The ingest rate the status bar shows: accepted items per second over the last 10 seconds, from the
// engine's cumulative counter. The engine's own per-second figure flips between 0 and N when clients
// send a batch every few seconds. Any thread; used on the GUI thread.
class IngestRate final {
public:
    static constexpr qint64 kWindowMs = 10'000;

    // The cumulative accepted count at monotonic time `nowMs`.
    void add(qint64 accepted, qint64 nowMs);
    double perSecond() const;

private:
    struct Sample {
        qint64 accepted;
        qint64 atMs;
    };
    std::deque<Sample> m_samples;
};

} // namespace fg
