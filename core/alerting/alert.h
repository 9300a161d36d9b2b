#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "alertrule.h"
#include "model/timestamp.h"

namespace fg {

// One alert: a rule's condition held for a service (or route) over an event-time interval.
// Acknowledged and silenced are flags, not states.
struct Alert {
    enum class State { Pending, Firing, Resolved };
    std::int64_t id = 0;
    std::int64_t ruleId = 0;
    std::string service;
    std::string endpoint;
    std::string reason; // the rule's name
    AlertLevel level = AlertLevel::Warning;
    State state = State::Pending;
    TimeNs pendingSince = 0; // event times
    TimeNs firedAt = 0;
    TimeNs resolvedAt = 0;
    std::string explanation;
    std::string acknowledgedBy;
    TimeNs acknowledgedAt = 0; // wall clock
    std::string ackNote;
    bool silenced = false;
    bool test = false;
    std::vector<std::string> channels; // notified so far, by name
    TimeNs updated = 0;                // wall clock of the last change
    std::int64_t incidentId = 0;       // the incident it belongs to once it fired
    // It paged for its incident: the first alert of an open incident, or one raising its level. Others
    // joining an incident that has paged are recorded there without paging again.
    bool pages = false;
    std::vector<std::string> traceIds; // of failing events behind it (in memory; links incidents across services)

    // service:reason:endpoint — what deduplication compares (with a sliding window).
    std::string dedupKey() const { return service + ":" + reason + (endpoint.empty() ? "" : ":" + endpoint); }
};

std::string_view alertStateName(Alert::State state);

// Related alerts grouped: one service's alerts that fire while another is open or within a short while
// after. Its severity is that of its worst alert.
struct Incident {
    std::int64_t id = 0;
    std::string service;
    std::string title;    // the first alert's reason
    AlertLevel severity = AlertLevel::Info;
    TimeNs openedAt = 0;  // event time of the first alert's firing
    TimeNs closedAt = 0;  // event time its last open alert resolved; 0 while open
    TimeNs lastActivity = 0;
    int alertCount = 0;
    TimeNs updated = 0;   // wall clock
};

// One notification of one alert to one channel, as queued in the outbox, and how its delivery went.
struct Delivery {
    std::int64_t id = 0;
    std::int64_t alertId = 0;
    std::int64_t channelId = 0;
    std::string kind;  // firing, resolved, repeat, escalation, test
    TimeNs created = 0; // wall clock
    std::string state = "pending"; // pending, delivered, failed, suppressed
    int attempts = 0;
    TimeNs nextAttempt = 0;
    std::string lastError;
    TimeNs deliveredAt = 0;
    std::string channelName; // set with an update that delivered, for the alert's channel list
};

// A stored step of an alert's history.
struct AlertTransition {
    std::int64_t alertId = 0;
    TimeNs at = 0;   // event time of the point that caused it (wall clock for wall-clock causes)
    TimeNs wall = 0; // when FlowGuard made the change
    std::string from; // "" for the first
    std::string to;
    std::string reason;
};

// A step of an alert's history that changes no state: an acknowledgement, an escalation, a note.
AlertTransition historyNote(const Alert &a, TimeNs wall, std::string reason);
// Marks the alert acknowledged (by whom, when, with a note) and returns the step that records it.
AlertTransition acknowledgeAlert(Alert &a, const std::string &by, const std::string &note, TimeNs wall);

} // namespace fg
