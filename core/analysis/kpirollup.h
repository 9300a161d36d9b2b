#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "ddsketch.h"
#include "model/timestamp.h"

namespace fg {

// Adds `trace` to a short list of distinct trace ids, up to `cap` of them (empty ids are skipped).
inline void noteTrace(std::vector<std::string> &traces, const std::string &trace, std::size_t cap)
{
    if (!trace.empty() && traces.size() < cap && std::find(traces.begin(), traces.end(), trace) == traces.end())
        traces.push_back(trace);
}

// One step (a minute) of KPIs for a service (endpoint empty) or a service's route. Requests are
// events that describe a request (status, latency or method given or found in the text); error rate
// is over requests when there are any, else over all events.
struct KpiRollup {
    std::string service;
    std::string endpoint; // route template; empty: the whole service
    TimeNs start = 0;     // event time, aligned to the step
    std::uint64_t events = 0;
    std::uint64_t errorEvents = 0; // level >= ERROR
    std::uint64_t requests = 0;
    std::uint64_t requestErrors = 0; // 5xx or level >= ERROR
    DDSketch latency;                // milliseconds
    // A few trace ids of the minute's failing events: alerts on different services that share one belong
    // to the same incident.
    std::vector<std::string> errorTraces;
    bool late = false;               // a part of a minute that had already closed

    static constexpr std::size_t kMaxErrorTraces = 4;
    void noteErrorTrace(const std::string &trace) { noteTrace(errorTraces, trace, kMaxErrorTraces); }

    void merge(const KpiRollup &other)
    {
        events += other.events;
        errorEvents += other.errorEvents;
        requests += other.requests;
        requestErrors += other.requestErrors;
        latency.merge(other.latency);
        for (const std::string &t : other.errorTraces)
            noteErrorTrace(t);
    }
    double errorRate() const
    {
        if (requests)
            return double(requestErrors) / double(requests);
        return events ? double(errorEvents) / double(events) : 0.0;
    }
};

} // namespace fg
