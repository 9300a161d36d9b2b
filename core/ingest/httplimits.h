#pragma once

#include <cstdint>

namespace fg {

struct HttpLimits {
    std::int64_t maxBodyBytes = 16LL * 1024 * 1024;
    int maxHeaderBytes = 64 * 1024;
    int maxConnections = 1024;
    int idleTimeoutMs = 60'000; // idle keep-alive connections and stalled bodies are closed after this
};

} // namespace fg
