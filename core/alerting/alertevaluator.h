#pragma once

#include <deque>
#include <functional>
#include <set>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alert.h"
#include "alertrule.h"
#include "channel.h"
#include "idallocator.h"
#include "analysis/detect/anomalyrecord.h"
#include "analysis/kpirollup.h"
#include "silence.h"

namespace fg {

// What an alert change asks of the notifiers; delivered through the outbox.
struct NotificationIntent {
    enum class Kind { Firing, Resolved, Repeat, Escalation, Test };
    std::int64_t alertId = 0;
    Kind kind = Kind::Firing;
    std::vector<std::int64_t> channelIds; // resolved from the rule's channel names when the intent is made
    TimeNs wall = 0;
    TimeNs dueAt = 0; // firing and repeat notifications wait a little so that one service's alerts group
};
std::string_view notificationKindName(NotificationIntent::Kind kind);

// An acknowledgement of an alert that is no longer open: only these columns of its row change.
struct Acknowledgement {
    std::int64_t alertId = 0;
    std::string by;
    std::string note;
    TimeNs at = 0;
};

struct AlertChanges {
    std::vector<Alert> alerts;         // created or changed, as they are now
    std::vector<Acknowledgement> acknowledgements;
    std::vector<Incident> incidents;   // opened or changed
    std::vector<std::int64_t> dropped; // pending alerts whose condition cleared before `for` elapsed
    std::vector<AlertTransition> transitions;
    std::vector<NotificationIntent> notifications;
    bool empty() const
    {
        return alerts.empty() && acknowledgements.empty() && incidents.empty() && dropped.empty() && transitions.empty()
               && notifications.empty();
    }
};

// The alert lifecycle. Turns closed KPI minutes (threshold rules), the detection engine's anomalies
// (built-in rules) and the absence of data (silent services) into alerts: pending → firing → resolved,
// with `for`, hysteresis, silences and acknowledgements. Firing and resolving follow event time; whether
// to notify — deduplication by service:reason within a sliding window, repeats, silences, and no
// notifications for backfilled history — follows the wall clock, which every call is given (tests inject
// it). Thread-safe: the analysis thread feeds it, the API acknowledges and silences.
class AlertEvaluator final {
public:
    struct Options {
        int dedupWindowMinutes = 15; // FLOWGUARD_ALERT_WINDOW_MIN
        int repeatMinutes = 240;     // re-notify a still-firing alert this often
        int clearMinutes = 5;        // a threshold alert is clear after this many clear minutes (then held)
        // A cleared degradation keeps firing this long (event time): if it returns meanwhile it is the same
        // alert, updated, not a new one (resolve → fire → resolve → fire was four pages for one incident).
        int keepFiringMinutes = 10;
        int flappingReturns = 3;     // returns within an hour that make an alert "flapping" (held twice as long)
        // Older event times are history (a backfill): recorded, not notified. An hour, so that a generator
        // replaying the last hour quickly still notifies while yesterday's backfill does not.
        int recentMinutes = 60;
        int newErrorQuietMinutes = 15; // a new-error-pattern alert resolves after this long without another
        int groupSeconds = 30;       // a service's alerts within this long go out as one notification
        int incidentGapMinutes = 30; // an alert this soon after a service's incident closed joins it again
    };
    // Stores a change set. Given to the calls below it runs under the evaluator's lock, so that changes
    // reach storage in the order they were made: an acknowledgement is never overwritten by an older copy
    // of the same alert from the lifecycle. Without one, the changes are returned (single-threaded use).
    using Submit = std::function<void(AlertChanges &&)>;

    // channels: resolves rule channel names to channel ids (none: no notifications are queued). ids: the
    // engine's one allocator, for alerts and incidents.
    AlertEvaluator(const RuleBook *rules, const ChannelBook *channels, IdAllocator *ids, Options options);
    // The newest incident of each service, so that alerts after a restart join an incident still open.
    void restoreIncident(const Incident &incident, int openAlerts);
    // Alerts left open by the previous run. Threshold, silent-service and new-pattern alerts carry on
    // (their conditions are judged again from new data); alerts of the detectors resolve, because the
    // detectors start over. `notified`: alerts whose firing notification went out (so their resolution is
    // notified too).
    AlertChanges restoreOpen(const std::vector<Alert> &open, const std::set<std::int64_t> &notified, TimeNs wallNow);

    // submit, when given, is called even with no changes (the caller's job carries its minutes).
    AlertChanges onMinutes(const std::vector<KpiRollup> &closed, const std::vector<AnomalyRecord> &anomalies,
                           const std::vector<std::pair<std::string, TimeNs>> &newErrorTemplates, TimeNs wallNow,
                           const Submit &submit = {});
    // Wall-clock work: silent services (last receive time per service) and repeats. submit: only with changes.
    AlertChanges tick(const std::map<std::string, TimeNs> &lastReceived, TimeNs wallNow, const Submit &submit = {});

    void setSilences(std::vector<Silence> silences);
    std::vector<Silence> silences() const;
    // Acknowledges an alert: an open one here, with its changes submitted; otherwise, when it is stored
    // (inHistory), the stored row's acknowledgement columns only, submitted in the same order. Returns the
    // open alert, if it was one.
    std::optional<Alert> acknowledge(std::int64_t id, const std::string &by, const std::string &note, TimeNs wallNow,
                                     const Submit &submit, bool inHistory);
    std::vector<Alert> open() const;
    // A test alert for `service`: recorded (marked as a test, resolved at once) and sent to every enabled
    // channel, past deduplication and silences.
    Alert testAlert(const std::string &service, TimeNs wallNow, const Submit &submit);
    // Forgets the open alerts, tracks and incidents of the services whose names start with `prefix`, without
    // resolving or notifying: their stored rows are being deleted (cleared demo data).
    void forgetServices(const std::string &prefix);

private:
    struct Track {
        std::deque<KpiRollup> minutes; // the rule's window
        std::int64_t alertId = 0;      // 0: no open alert
        int clear = 0;                 // consecutive clear minutes while firing
    };
    struct Notified {
        TimeNs windowStart = 0; // wall time of the notification that opened the dedup window
    };
    Alert &create(const AlertRule &rule, const std::string &service, const std::string &endpoint, TimeNs pendingSince,
                  TimeNs wallNow);
    void fire(Alert &a, const AlertRule &rule, TimeNs at, const std::string &why, TimeNs wallNow, AlertChanges &out);
    void resolve(Alert &a, const AlertRule *rule, TimeNs at, const std::string &why, TimeNs wallNow, AlertChanges &out);
    void transition(Alert &a, Alert::State to, TimeNs at, const std::string &why, TimeNs wallNow, AlertChanges &out);
    bool silenced(const Alert &a, const AlertRule &rule, TimeNs wallNow) const;
    const AlertRule *ruleById(std::int64_t id) const;
    void thresholdMinute(const AlertRule &rule, const KpiRollup &k, TimeNs wallNow, AlertChanges &out);
    void anomaly(const AnomalyRecord &r, TimeNs wallNow, AlertChanges &out);

    mutable std::mutex m_mutex;
    // Queues a notification for the named channels (empty: all enabled) and notes unknown names.
    void notify(Alert &a, NotificationIntent::Kind kind, const std::vector<std::string> &names, TimeNs wallNow,
                AlertChanges &out);

    const RuleBook *m_rules;
    const ChannelBook *m_channels;
    std::shared_ptr<const std::vector<AlertRule>> m_snapshot; // rules for the current pass
    Options m_options;
    IdAllocator *m_ids;
    std::map<std::int64_t, Alert> m_open; // pending and firing alerts by id
    std::map<std::tuple<std::int64_t, std::string, std::string>, Track> m_tracks; // rule, service, endpoint
    std::map<std::string, std::int64_t> m_anomalyAlerts; // anomaly key → alert id
    // Detector alerts whose anomaly cleared, firing until their hold ends; by service, endpoint, kind, metric.
    struct Held {
        std::int64_t alertId = 0;
        TimeNs endedAt = 0;   // when the detector saw it end (the resolution time if it stays gone)
        TimeNs holdUntil = 0; // event time
        TimeNs wallUntil = 0; // the same on the wall clock, for services that went quiet
    };
    std::map<std::string, Held> m_held;
    std::map<std::int64_t, std::deque<TimeNs>> m_returns; // alert id → event times it returned within the last hour
    void releaseHeld(const std::string &service, TimeNs eventNow, TimeNs wallNow, AlertChanges &out);
    std::map<std::string, std::int64_t> m_silentAlerts;  // service → alert id (wall clock: nothing received)
    // Event time: a service whose minutes stopped while others' went on (a replay or backfill shows it too).
    std::map<std::string, TimeNs> m_lastMinute;         // service → its newest closed minute
    std::map<std::string, std::int64_t> m_quietAlerts;  // service → alert id
    TimeNs m_eventWatermark = 0;                        // newest closed minute of any service
    void eventTimeSilence(const std::vector<KpiRollup> &closed, TimeNs wallNow, AlertChanges &out);
    std::map<std::string, std::pair<std::int64_t, TimeNs>> m_newErrorAlerts; // service → alert id, last event time
    std::map<std::int64_t, TimeNs> m_lastNotified;  // alert id → wall time of the latest notification
    std::map<std::int64_t, TimeNs> m_firstNotified; // alert id → wall time of the first (escalation clock)
    std::set<std::int64_t> m_escalated;
    std::map<std::string, Notified> m_dedup;       // dedup key → window
    std::vector<Silence> m_silences;
    struct IncidentState {
        Incident incident;
        int open = 0; // its alerts still firing
        std::set<std::string> traces;
        std::optional<AlertLevel> paged; // the highest level it has paged at while open
        std::set<std::int64_t> openNotifying; // its firing alerts whose rules notify (paged or joined a page)
        // Pages whose own condition cleared while other such alerts went on: their "resolved" goes out when
        // the last of those clears, not in the middle of the incident.
        std::vector<std::pair<Alert, std::vector<std::string>>> owedResolutions;
    };
    bool joinable(const IncidentState &s, TimeNs at) const;
    std::map<std::int64_t, IncidentState> m_incidents;   // recent incidents by id
    std::map<std::string, std::int64_t> m_serviceIncident; // newest incident of each service
    void joinIncident(Alert &a, TimeNs at, TimeNs wallNow, AlertChanges &out);
    void leaveIncident(const Alert &a, TimeNs at, TimeNs wallNow, AlertChanges &out);
};

} // namespace fg
