#pragma once

#include <atomic>
#include <cstdint>

namespace fg {

// Counters of the ingest API, written on the listener thread and the decode workers, read anywhere.
struct IngestStats {
    std::atomic<std::int64_t> requests{0};
    std::atomic<std::int64_t> itemsAccepted{0};
    std::atomic<std::int64_t> itemsRejected{0};
    std::atomic<std::int64_t> bytesReceived{0};
    std::atomic<std::int64_t> overloaded{0};
    std::atomic<std::int64_t> tlsHandshakeFailures{0}; // failed, refused or too slow; never logged one by one
};

} // namespace fg
