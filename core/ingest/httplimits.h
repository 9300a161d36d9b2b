#pragma once

#include <cstdint>

namespace fg {

struct HttpLimits {
    std::int64_t maxBodyBytes = 16LL * 1024 * 1024;
    int maxHeaderBytes = 64 * 1024;
    int maxConnections = 1024;
    int idleTimeoutMs = 60'000; // idle keep-alive connections and stalled bodies are closed after this
    // Slow clients: a whole request head must arrive within headerTimeoutMs of its first byte, and a body
    // at no less than minBodyBytesPerSec on average once bodyGraceMs have passed (408 otherwise), so
    // that trickling a byte at a time cannot hold a connection.
    int headerTimeoutMs = 10'000;
    int bodyGraceMs = 10'000;
    int minBodyBytesPerSec = 1024;
    // Above three quarters of maxConnections, idle keep-alive connections get only pressureIdleTimeoutMs
    // and request heads pressureHeaderTimeoutMs: trickling clients from several addresses cannot hold the
    // slots for long.
    int pressureIdleTimeoutMs = 5'000;
    int pressureHeaderTimeoutMs = 2'000;
    int maxConnectionsPerAddress = 128;
};

} // namespace fg
