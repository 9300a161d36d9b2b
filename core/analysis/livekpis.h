#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "kpirollup.h"

namespace fg {

// The live windows of each service — the last 1, 5 and 60 minutes of event time, open minutes included —
// kept in memory by the analysis thread and read by the API (and later the window) without SQL.
class LiveKpis final {
public:
    struct Windows {
        KpiRollup lastMinute;
        KpiRollup last5Minutes;
        KpiRollup lastHour;
        TimeNs newest = 0; // start of the newest minute included
        int minutes5 = 0;  // minutes with data in each window, for rates
        int minutes60 = 0;
    };

    // Analysis thread: a minute closed (or is still open, with what it has so far).
    void record(const KpiRollup &minute);
    // Analysis thread: replaces the open-minute view after each batch, then publishes the windows.
    void publish(const std::vector<KpiRollup> &openMinutes);

    // Any thread.
    std::map<std::string, Windows> snapshot() const;
    // Analysis thread: drops the services whose names start with `prefix` (cleared demo data).
    void forgetServices(const std::string &prefix);

private:
    std::map<std::string, std::map<TimeNs, KpiRollup>> m_closed; // per service, last hour of closed minutes
    mutable std::mutex m_mutex;
    std::map<std::string, Windows> m_published;
};

} // namespace fg
