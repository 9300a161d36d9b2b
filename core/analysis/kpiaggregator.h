#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "kpirollup.h"
#include "model/records.h"

namespace fg {

// Buckets log events into per-minute KPIs per service and per route, by event time. Each service has a
// watermark that follows its data (newest event time, never ahead of the receive time) minus a lateness
// allowance; a minute closes once the watermark passes its end. Events for a closed minute are still
// counted and come out again as a late part, which storage merges into the stored minute. A service that
// goes silent has its open minutes closed by the wall clock. Caps on services and routes bound memory;
// what overflows is counted under "{other}" and in overflow counters. One thread.
class KpiAggregator final {
public:
    struct Limits {
        TimeNs step = 60 * kNsPerSec;
        TimeNs lateness = 2 * 60 * kNsPerSec;
        std::size_t maxServices = 1000;
        std::size_t maxEndpointsPerService = 200;
    };
    explicit KpiAggregator(Limits limits);
    KpiAggregator() : KpiAggregator(Limits{}) {}

    void add(const LogRecord &record);
    // Minutes ready to close at this wall-clock time, plus late parts, oldest first.
    std::vector<KpiRollup> takeClosed(TimeNs wallNow);
    // Everything still open (shutdown).
    std::vector<KpiRollup> takeAll();
    // A copy of the open minutes of each service as a whole (endpoint empty), for live windows.
    std::vector<KpiRollup> peekOpenServiceMinutes() const;

    // Receive time of each service's newest event (wall clock), for silent-service alerts.
    std::map<std::string, TimeNs> lastReceived() const;
    std::uint64_t overflowServices() const { return m_overflowServices; }
    // Drops the services whose names start with `prefix` and their open minutes (cleared demo data).
    void forgetServices(const std::string &prefix);
    std::uint64_t overflowEndpoints() const { return m_overflowEndpoints; }

private:
    struct ServiceState {
        TimeNs maxEvent = 0;   // newest event time, capped by its receive time
        TimeNs closedUpTo = 0; // minutes starting before this are closed
        TimeNs lastReceived = 0;
        std::map<std::pair<TimeNs, std::string>, KpiRollup> open; // (start, endpoint)
        std::map<std::pair<TimeNs, std::string>, KpiRollup> late;
        std::unordered_map<std::string, bool> endpoints; // known routes, for the cap
    };
    ServiceState *stateFor(const std::string &service);
    std::string routeFor(ServiceState &state, const std::string &endpoint);

    Limits m_limits;
    std::unordered_map<std::string, ServiceState> m_services;
    std::uint64_t m_overflowServices = 0;
    std::uint64_t m_overflowEndpoints = 0;
};

} // namespace fg
