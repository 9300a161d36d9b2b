#pragma once

#include <cstdint>
#include <string>

#include "ddsketch.h"
#include "model/timestamp.h"

namespace fg {

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
    bool late = false;               // a part of a minute that had already closed

    void merge(const KpiRollup &other)
    {
        events += other.events;
        errorEvents += other.errorEvents;
        requests += other.requests;
        requestErrors += other.requestErrors;
        latency.merge(other.latency);
    }
    double errorRate() const
    {
        if (requests)
            return double(requestErrors) / double(requests);
        return events ? double(errorEvents) / double(events) : 0.0;
    }
};

} // namespace fg
