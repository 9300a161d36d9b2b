#pragma once

#include <cmath>
#include <string>
#include <string_view>

namespace fg {

// What a log line says about itself when the sender gave no fields: latency, HTTP status, method and
// path, from key=value text ("latency=850ms", "duration=1.2s", "status=500"), phrases ("took 35 ms",
// "completed in 23ms") and common/combined access-log lines ("GET /x HTTP/1.1" 200 …).
struct MessageFields {
    double latencyMs = NAN;
    int statusCode = 0;
    std::string method;
    std::string path;
};

// One pass over the text with small hand-written scanners (std::regex is far too slow for every event).
MessageFields scanMessage(std::string_view message);

} // namespace fg
