#include "alertevaluator.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "glob.h"
#include "kpiwindow.h"

namespace fg {

namespace {
constexpr TimeNs kMinuteNs = 60 * kNsPerSec;

bool endpointMatches(const AlertRule &rule, const std::string &endpoint)
{
    if (rule.endpoint.empty())
        return endpoint.empty();
    if (rule.endpoint == "*")
        return !endpoint.empty();
    return globMatch(rule.endpoint.c_str(), endpoint.c_str());
}

std::string where(const std::string &service, const std::string &endpoint)
{
    return endpoint.empty() ? service : service + " " + endpoint;
}
} // namespace

std::string_view notificationKindName(NotificationIntent::Kind kind)
{
    switch (kind) {
    case NotificationIntent::Kind::Firing:
        return "firing";
    case NotificationIntent::Kind::Resolved:
        return "resolved";
    case NotificationIntent::Kind::Repeat:
        return "repeat";
    case NotificationIntent::Kind::Escalation:
        return "escalation";
    case NotificationIntent::Kind::Test:
        return "test";
    }
    return "firing";
}

AlertEvaluator::AlertEvaluator(const RuleBook *rules, const ChannelBook *channels, IdAllocator *ids, Options options)
    : m_rules(rules), m_channels(channels), m_options(options), m_ids(ids)
{
}

namespace {
// Hands the changes to `submit` (under the caller's lock) or back to the caller.
AlertChanges deliver(AlertChanges &&changes, const AlertEvaluator::Submit &submit, bool evenEmpty)
{
    if (!submit)
        return std::move(changes);
    if (evenEmpty || !changes.empty())
        submit(std::move(changes));
    return {};
}
} // namespace

void AlertEvaluator::notify(Alert &a, NotificationIntent::Kind kind, const std::vector<std::string> &names,
                            TimeNs wallNow, AlertChanges &out)
{
    NotificationIntent n;
    n.alertId = a.id;
    n.kind = kind;
    n.wall = wallNow;
    const bool grouped = kind == NotificationIntent::Kind::Firing || kind == NotificationIntent::Kind::Repeat;
    n.dueAt = wallNow + (grouped ? m_options.groupSeconds * kNsPerSec : 0);
    std::vector<std::string> unknown;
    if (m_channels)
        n.channelIds = m_channels->resolve(names, &unknown);
    if (!unknown.empty()) {
        std::string list;
        for (const std::string &u : unknown)
            list += (list.empty() ? "" : ", ") + u;
        out.transitions.push_back(historyNote(a, wallNow, "no such channel: " + list));
    }
    out.notifications.push_back(std::move(n));
}

const AlertRule *AlertEvaluator::ruleById(std::int64_t id) const
{
    for (const AlertRule &r : *m_snapshot)
        if (r.id == id)
            return &r;
    return nullptr;
}

Alert &AlertEvaluator::create(const AlertRule &rule, const std::string &service, const std::string &endpoint,
                              TimeNs pendingSince, TimeNs wallNow)
{
    Alert a;
    a.id = m_ids->next();
    a.ruleId = rule.id;
    a.service = service;
    a.endpoint = endpoint;
    a.reason = rule.name;
    a.level = rule.level;
    a.pendingSince = pendingSince;
    a.updated = wallNow;
    return m_open.emplace(a.id, std::move(a)).first->second;
}

void AlertEvaluator::transition(Alert &a, Alert::State to, TimeNs at, const std::string &why, TimeNs wallNow,
                                AlertChanges &out)
{
    AlertTransition t;
    t.alertId = a.id;
    t.at = at;
    t.wall = wallNow;
    t.from = a.state == to && to == Alert::State::Pending ? "" : std::string(alertStateName(a.state));
    t.to = std::string(alertStateName(to));
    t.reason = why;
    a.state = to;
    a.updated = wallNow;
    out.transitions.push_back(std::move(t));
}

bool AlertEvaluator::silenced(const Alert &a, const AlertRule &rule, TimeNs wallNow) const
{
    for (const Silence &s : m_silences) {
        if (!s.activeAt(wallNow))
            continue;
        if (!s.service.empty() && !globMatch(s.service.c_str(), a.service.c_str()))
            continue;
        if (s.ruleId && s.ruleId != rule.id)
            continue;
        if (!s.tag.empty() && std::find(rule.tags.begin(), rule.tags.end(), s.tag) == rule.tags.end())
            continue;
        return true;
    }
    return false;
}

void AlertEvaluator::fire(Alert &a, const AlertRule &rule, TimeNs at, const std::string &why, TimeNs wallNow,
                          AlertChanges &out)
{
    a.firedAt = at;
    std::string reason = why;
    joinIncident(a, at, wallNow, out);
    // One page per incident: an alert joining an open incident that has paged at its level or higher is
    // recorded there without paging again; a higher level pages (escalation).
    a.pages = rule.notify && !a.test;
    if (const auto it = m_incidents.find(a.incidentId); a.pages && it != m_incidents.end()) {
        it->second.openNotifying.insert(a.id);
        std::optional<AlertLevel> &paged = it->second.paged;
        if (paged && *paged >= a.level) {
            a.pages = false;
            reason += "; part of incident " + std::to_string(a.incidentId) + ", which has paged already";
        } else {
            paged = a.level;
        }
    }
    bool notify = a.pages;
    if (notify && wallNow - at > m_options.recentMinutes * kMinuteNs) {
        notify = false;
        reason += "; history (event time " + formatIsoMs(at) + "), not notified";
    }
    if (notify && silenced(a, rule, wallNow)) {
        a.silenced = true;
        notify = false;
        reason += "; silenced";
    }
    if (notify) {
        Notified &d = m_dedup[a.dedupKey()];
        if (d.windowStart && wallNow - d.windowStart < m_options.dedupWindowMinutes * kMinuteNs) {
            notify = false;
            reason += "; duplicate of a notification at " + formatIsoMs(d.windowStart);
        } else {
            d.windowStart = wallNow;
        }
    }
    transition(a, Alert::State::Firing, at, reason, wallNow, out);
    if (notify) {
        m_lastNotified[a.id] = wallNow;
        m_firstNotified[a.id] = wallNow;
        this->notify(a, NotificationIntent::Kind::Firing, rule.channels, wallNow, out);
    }
    out.alerts.push_back(a);
}

void AlertEvaluator::resolve(Alert &a, const AlertRule *rule, TimeNs at, const std::string &why, TimeNs wallNow,
                             AlertChanges &out)
{
    a.resolvedAt = at;
    transition(a, Alert::State::Resolved, at, why, wallNow, out);
    leaveIncident(a, at, wallNow, out);
    m_firstNotified.erase(a.id);
    m_escalated.erase(a.id);
    if (m_lastNotified.erase(a.id)) {
        std::vector<std::string> channels = rule ? rule->channels : std::vector<std::string>{};
        const auto incident = m_incidents.find(a.incidentId);
        if (a.incidentId && incident != m_incidents.end() && !incident->second.openNotifying.empty()) {
            // A service's latency fading while one of its routes stays slow: the page said "incident",
            // and the incident is not over.
            out.transitions.push_back(historyNote(a, wallNow, "resolution notified when incident "
                                                                  + std::to_string(a.incidentId) + " closes"));
            incident->second.owedResolutions.emplace_back(a, std::move(channels));
        } else {
            notify(a, NotificationIntent::Kind::Resolved, channels, wallNow, out);
        }
    }
    out.alerts.push_back(a);
    const std::int64_t id = a.id; // `a` lives in the node being erased
    m_open.erase(id);
}

void AlertEvaluator::restoreIncident(const Incident &incident, int openAlerts)
{
    std::lock_guard lock(m_mutex);
    m_incidents[incident.id] = {incident, openAlerts, {}, {}};
    if (openAlerts > 0)
        m_incidents[incident.id].paged = incident.severity; // it paged before the restart
    m_ids->reserveThrough(incident.id);
    std::int64_t &latest = m_serviceIncident[incident.service];
    latest = std::max(latest, incident.id);
}

AlertChanges AlertEvaluator::restoreOpen(const std::vector<Alert> &open, const std::set<std::int64_t> &notified,
                                         TimeNs wallNow)
{
    std::lock_guard lock(m_mutex);
    m_snapshot = m_rules->current();
    AlertChanges out;
    for (const Alert &stored : open) {
        const AlertRule *rule = ruleById(stored.ruleId);
        Alert &a = m_open.emplace(stored.id, stored).first->second;
        m_ids->reserveThrough(stored.id);
        if (notified.count(a.id)) {
            m_lastNotified[a.id] = wallNow;
            m_firstNotified[a.id] = wallNow;
        }
        if (!rule || rule->kind == AlertRule::Kind::Degradation || rule->kind == AlertRule::Kind::Anomaly) {
            resolve(a, rule, wallNow, "FlowGuard restarted; detection starts over", wallNow, out);
            continue;
        }
        if (rule->kind == AlertRule::Kind::Threshold)
            m_tracks[{rule->id, a.service, a.endpoint}].alertId = a.id;
        else if (rule->kind == AlertRule::Kind::Silent)
            m_silentAlerts[a.service] = a.id;
        else if (rule->kind == AlertRule::Kind::NewErrorTemplate)
            m_newErrorAlerts[a.service] = {a.id, a.firedAt ? a.firedAt : a.pendingSince};
    }
    return out;
}

bool AlertEvaluator::joinable(const IncidentState &s, TimeNs at) const
{
    return s.open > 0 || at - s.incident.lastActivity <= m_options.incidentGapMinutes * kMinuteNs;
}

void AlertEvaluator::joinIncident(Alert &a, TimeNs at, TimeNs wallNow, AlertChanges &out)
{
    if (a.test)
        return;
    IncidentState *target = nullptr;
    // A failing trace shared with a recent incident links them, whatever the service.
    // Not a structured binding: clang 14 (the fuzz build) cannot capture one in the lambda.
    for (auto &entry : m_incidents) {
        IncidentState &s = entry.second;
        if (joinable(s, at) && std::any_of(a.traceIds.begin(), a.traceIds.end(), [&](const std::string &t) { return s.traces.count(t); }))
            target = &s;
    }
    if (!target) {
        const auto latest = m_serviceIncident.find(a.service);
        if (latest != m_serviceIncident.end()) {
            const auto it = m_incidents.find(latest->second);
            if (it != m_incidents.end() && joinable(it->second, at))
                target = &it->second;
        }
    }
    if (!target) {
        // Incidents that can no longer take alerts are only history now.
        for (auto it = m_incidents.begin(); it != m_incidents.end();)
            it = joinable(it->second, at) ? std::next(it) : m_incidents.erase(it);
        const std::int64_t id = m_ids->next();
        target = &m_incidents[id];
        target->incident.id = id;
        target->incident.service = a.service;
        target->incident.title = a.reason;
        target->incident.openedAt = at;
        target->incident.severity = a.level;
    }
    Incident &i = target->incident;
    i.closedAt = 0;
    i.severity = std::max(i.severity, a.level); // escalates with its worst alert
    i.lastActivity = std::max(i.lastActivity, at);
    ++i.alertCount;
    i.updated = wallNow;
    ++target->open;
    target->traces.insert(a.traceIds.begin(), a.traceIds.end());
    m_serviceIncident[a.service] = i.id;
    a.incidentId = i.id;
    out.incidents.push_back(i);
}

void AlertEvaluator::leaveIncident(const Alert &a, TimeNs at, TimeNs wallNow, AlertChanges &out)
{
    const auto it = m_incidents.find(a.incidentId);
    if (!a.incidentId || it == m_incidents.end())
        return;
    IncidentState &s = it->second;
    s.open = std::max(s.open - 1, 0);
    s.incident.lastActivity = std::max(s.incident.lastActivity, at);
    if (s.open == 0) {
        s.incident.closedAt = s.incident.lastActivity;
        s.paged.reset(); // what joins it after it closed pages again
    }
    if (s.openNotifying.erase(a.id) && s.openNotifying.empty()) {
        for (auto &[page, channels] : s.owedResolutions)
            notify(page, NotificationIntent::Kind::Resolved, channels, wallNow, out);
        s.owedResolutions.clear();
    }
    s.incident.updated = wallNow;
    out.incidents.push_back(s.incident);
}

void AlertEvaluator::thresholdMinute(const AlertRule &rule, const KpiRollup &k, TimeNs wallNow, AlertChanges &out)
{
    Track &t = m_tracks[{rule.id, k.service, k.endpoint}];
    t.minutes.push_back(k);
    while (!t.minutes.empty() && t.minutes.front().start <= k.start - rule.windowMinutes * kMinuteNs)
        t.minutes.pop_front();
    KpiWindow w;
    w.span = rule.windowMinutes;
    for (const KpiRollup &m : t.minutes)
        w.merged.merge(m);
    w.minutes = int(t.minutes.size());

    auto it = t.alertId ? m_open.find(t.alertId) : m_open.end();
    if (it == m_open.end()) {
        t.alertId = 0;
        if (!rule.condition->evaluate(w))
            return;
        Alert &a = create(rule, k.service, k.endpoint, k.start, wallNow);
        t.alertId = a.id;
        t.clear = 0;
        it = m_open.find(a.id);
        transition(a, Alert::State::Pending, k.start, "condition met", wallNow, out);
    }
    Alert &a = it->second;
    char span[32];
    std::snprintf(span, sizeof span, " over %d min", rule.windowMinutes);
    const bool holding = a.state == Alert::State::Firing;
    if (rule.condition->evaluate(w, holding)) {
        if (holding && t.clear >= m_options.clearMinutes)
            out.transitions.push_back(
                historyNote(a, wallNow, "returned at " + formatIsoMs(k.start) + " before its hold ended"));
        t.clear = 0;
        // An alert quotes the numbers that made it fire: a window inside the hysteresis margin keeps it
        // open without rewriting its explanation below its own threshold.
        if (!holding || rule.condition->evaluate(w)) {
            a.traceIds = w.merged.errorTraces;
            a.explanation =
                rule.name + " on " + where(k.service, k.endpoint) + ": " + rule.condition->describe(w) + span + ".";
        }
        if (!holding) {
            if (k.start - a.pendingSince >= rule.forMinutes * kMinuteNs) {
                fire(a, rule, k.start, "condition held for " + std::to_string(rule.forMinutes) + " min", wallNow, out);
            } else {
                a.updated = wallNow;
                out.alerts.push_back(a);
            }
        } else {
            a.updated = wallNow;
            out.alerts.push_back(a);
        }
        return;
    }
    if (!holding) {
        out.dropped.push_back(a.id);
        m_open.erase(it);
        t.alertId = 0;
        return;
    }
    // Clear, it keeps firing for the same hold as a degradation, so that a return is the same alert (a night
    // error creep resolved, fired again 11 minutes later and paged twice); it resolves as of its first clear
    // minute.
    if (++t.clear >= m_options.clearMinutes + m_options.keepFiringMinutes) {
        const std::string why = "cleared: " + rule.condition->describe(w) + span + ", and stayed clear "
                                + std::to_string(t.clear) + " min";
        resolve(a, &rule, k.start - (t.clear - 1) * kMinuteNs, why, wallNow, out);
        t.alertId = 0;
        t.clear = 0;
    }
}

void AlertEvaluator::anomaly(const AnomalyRecord &r, TimeNs wallNow, AlertChanges &out)
{
    const AlertRule::Kind kind = r.kind == "degradation" ? AlertRule::Kind::Degradation : AlertRule::Kind::Anomaly;
    const AlertRule *rule = nullptr;
    for (const AlertRule &candidate : *m_snapshot)
        if (candidate.kind == kind && candidate.enabled && candidate.matchesService(r.service)) {
            rule = &candidate;
            break;
        }
    const std::string family = r.service + '\x1f' + r.endpoint + '\x1f' + r.kind + '\x1f' + r.metric;
    const std::string key = family + '\x1f' + std::to_string(r.startedAt);
    auto known = m_anomalyAlerts.find(key);
    Alert *a = nullptr;
    if (known != m_anomalyAlerts.end()) {
        auto it = m_open.find(known->second);
        if (it != m_open.end())
            a = &it->second;
    }
    const std::string text = r.explanation + (r.recommendation.empty() ? "" : " " + r.recommendation);
    if (auto held = m_held.find(family); !a && held != m_held.end()) {
        // It came back while its alert was still held: the same incident, the same alert.
        auto it = m_open.find(held->second.alertId);
        m_held.erase(held);
        if (it != m_open.end()) {
            a = &it->second;
            m_anomalyAlerts[key] = a->id;
            std::deque<TimeNs> &returns = m_returns[a->id];
            returns.push_back(r.startedAt);
            while (!returns.empty() && returns.front() < r.startedAt - 60 * kMinuteNs)
                returns.pop_front();
            std::string note = "returned at " + formatIsoMs(r.startedAt) + " before its hold ended";
            if (int(returns.size()) >= m_options.flappingReturns)
                note += "; flapping: returned " + std::to_string(returns.size()) + " times within an hour";
            out.transitions.push_back(historyNote(*a, wallNow, note));
        }
    }
    if (!a) {
        if (!rule)
            return;
        a = &create(*rule, r.service, r.endpoint, r.startedAt, wallNow);
        if (!r.metric.empty())
            a->reason = rule->name + " " + r.metric;
        m_anomalyAlerts[key] = a->id;
        a->explanation = text;
        a->traceIds = r.traceIds;
        transition(*a, Alert::State::Pending, r.startedAt, "detected", wallNow, out);
        fire(*a, *rule, r.startedAt, "detected by the analysis engine", wallNow, out);
    } else {
        a->explanation = text;
        a->traceIds = r.traceIds;
        a->updated = wallNow;
        out.alerts.push_back(*a);
    }
    if (r.endedAt) {
        m_anomalyAlerts.erase(key);
        // Held before it resolves (twice as long when it flaps), so a return is the same alert.
        const auto returns = m_returns.find(a->id);
        const bool flapping = returns != m_returns.end() && int(returns->second.size()) >= m_options.flappingReturns;
        const TimeNs hold = m_options.keepFiringMinutes * kMinuteNs * (flapping ? 2 : 1);
        if (hold <= 0)
            return resolve(*a, ruleById(a->ruleId), r.endedAt, "the detector cleared it", wallNow, out);
        const TimeNs seen = std::max(r.endedAt, r.updatedAt);
        m_held[family] = {a->id, r.endedAt, seen + hold, wallNow + hold};
    }
}

void AlertEvaluator::eventTimeSilence(const std::vector<KpiRollup> &closed, TimeNs wallNow, AlertChanges &out)
{
    for (const KpiRollup &k : closed) {
        if (k.late || !k.endpoint.empty())
            continue;
        TimeNs &last = m_lastMinute[k.service];
        last = std::max(last, k.start);
        m_eventWatermark = std::max(m_eventWatermark, k.start);
    }
    // A quiet service's minutes close only once its data moves on, so the minutes just before the silence
    // can close after it was declared (a night service's lag them by several minutes): only a minute from
    // the time it was declared on ends it (resolve → fire again on those stragglers was a second page).
    for (const KpiRollup &k : closed) {
        auto quiet = k.late || !k.endpoint.empty() ? m_quietAlerts.end() : m_quietAlerts.find(k.service);
        if (quiet == m_quietAlerts.end())
            continue;
        auto it = m_open.find(quiet->second);
        if (it != m_open.end() && k.start < it->second.firedAt)
            continue;
        if (it != m_open.end())
            resolve(it->second, ruleById(it->second.ruleId), k.start, "its minutes came again", wallNow, out);
        m_quietAlerts.erase(quiet);
    }
    for (const AlertRule &rule : *m_snapshot) {
        if (rule.kind != AlertRule::Kind::Silent || !rule.enabled)
            continue;
        const TimeNs limit = std::max(rule.forMinutes, 1) * kMinuteNs;
        for (const auto &[service, last] : m_lastMinute) {
            if (m_eventWatermark - last < limit || m_quietAlerts.count(service) || m_silentAlerts.count(service)
                || !rule.matchesService(service))
                continue;
            const TimeNs at = last + limit;
            Alert &a = create(rule, service, {}, at, wallNow);
            a.explanation = rule.name + ": no events from " + service + " since " + formatIsoMs(last + kMinuteNs)
                            + " while other services kept sending (" + std::to_string((m_eventWatermark - last) / kMinuteNs)
                            + " min of event time).";
            m_quietAlerts[service] = a.id;
            transition(a, Alert::State::Pending, at, "no events", wallNow, out);
            fire(a, rule, at, "no events for " + std::to_string(rule.forMinutes) + " min of event time", wallNow, out);
        }
    }
}

void AlertEvaluator::releaseHeld(const std::string &service, TimeNs eventNow, TimeNs wallNow, AlertChanges &out)
{
    const std::string prefix = service + '\x1f';
    for (auto it = m_held.lower_bound(prefix); it != m_held.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
        if (eventNow < it->second.holdUntil && wallNow < it->second.wallUntil) {
            ++it;
            continue;
        }
        const Held held = it->second;
        it = m_held.erase(it);
        m_returns.erase(held.alertId);
        auto open = m_open.find(held.alertId);
        if (open != m_open.end())
            resolve(open->second, ruleById(open->second.ruleId), held.endedAt,
                    "the detector cleared it and it stayed clear for " + std::to_string(m_options.keepFiringMinutes)
                        + " min",
                    wallNow, out);
    }
}

AlertChanges AlertEvaluator::onMinutes(const std::vector<KpiRollup> &closed, const std::vector<AnomalyRecord> &anomalies,
                                       const std::vector<std::pair<std::string, TimeNs>> &newErrorTemplates,
                                       TimeNs wallNow, const Submit &submit)
{
    std::lock_guard lock(m_mutex);
    m_snapshot = m_rules->current();
    AlertChanges out;
    for (const KpiRollup &k : closed) {
        if (k.late)
            continue;
        if (k.endpoint.empty())
            releaseHeld(k.service, k.start + kMinuteNs, wallNow, out);
        for (const AlertRule &rule : *m_snapshot)
            if (rule.enabled && rule.kind == AlertRule::Kind::Threshold && rule.condition
                && rule.matchesService(k.service) && endpointMatches(rule, k.endpoint))
                thresholdMinute(rule, k, wallNow, out);
        // New-error-pattern alerts resolve (or, still pending, are dropped) once the service's minutes run
        // quiet long enough.
        auto quiet = m_newErrorAlerts.find(k.service);
        if (k.endpoint.empty() && quiet != m_newErrorAlerts.end()
            && k.start >= quiet->second.second + m_options.newErrorQuietMinutes * kMinuteNs) {
            auto it = m_open.find(quiet->second.first);
            if (it != m_open.end() && it->second.state == Alert::State::Pending) {
                out.dropped.push_back(it->first);
                m_open.erase(it);
            } else if (it != m_open.end()) {
                resolve(it->second, ruleById(it->second.ruleId), k.start,
                        "no new error pattern for " + std::to_string(m_options.newErrorQuietMinutes) + " min", wallNow, out);
            }
            m_newErrorAlerts.erase(quiet);
        }
    }
    eventTimeSilence(closed, wallNow, out);
    for (const AnomalyRecord &r : anomalies)
        anomaly(r, wallNow, out);
    // A pending new-error-pattern alert fires once its `for` has passed in the service's event time, after
    // this pass's degradations: one that the detectors confirm meanwhile joins their incident without paging
    // again (an error creep paged as a warning first, then as the degradation it became).
    std::map<std::string, TimeNs> newest;
    for (const KpiRollup &k : closed)
        if (!k.late && k.endpoint.empty())
            newest[k.service] = std::max(newest[k.service], k.start);
    for (const auto &[service, minuteStart] : newest) {
        const auto pending = m_newErrorAlerts.find(service);
        const auto it = pending == m_newErrorAlerts.end() ? m_open.end() : m_open.find(pending->second.first);
        const AlertRule *rule = it == m_open.end() ? nullptr : ruleById(it->second.ruleId);
        if (rule && it->second.state == Alert::State::Pending
            && minuteStart + kMinuteNs - it->second.pendingSince >= rule->forMinutes * kMinuteNs)
            fire(it->second, *rule, minuteStart + kMinuteNs,
                 "new error template, recurring for " + std::to_string(rule->forMinutes) + " min", wallNow, out);
    }
    for (const auto &[service, at] : newErrorTemplates) {
        auto open = m_newErrorAlerts.find(service);
        if (open != m_newErrorAlerts.end() && m_open.count(open->second.first)) {
            open->second.second = std::max(open->second.second, at);
            continue;
        }
        for (const AlertRule &rule : *m_snapshot) {
            if (rule.kind != AlertRule::Kind::NewErrorTemplate || !rule.enabled || !rule.matchesService(service))
                continue;
            Alert &a = create(rule, service, {}, at, wallNow);
            a.explanation = rule.name + " on " + service + ": an error message never seen before.";
            m_newErrorAlerts[service] = {a.id, at};
            transition(a, Alert::State::Pending, at, "new error template", wallNow, out);
            if (rule.forMinutes <= 0)
                fire(a, rule, at, "new error template", wallNow, out);
            else
                out.alerts.push_back(a);
            break;
        }
    }
    return deliver(std::move(out), submit, true);
}

AlertChanges AlertEvaluator::tick(const std::map<std::string, TimeNs> &lastReceived, TimeNs wallNow,
                                  const Submit &submit)
{
    std::lock_guard lock(m_mutex);
    m_snapshot = m_rules->current();
    AlertChanges out;
    // Held alerts of services whose minutes stopped coming end on the wall clock.
    std::set<std::string> heldServices;
    for (const auto &[family, held] : m_held)
        if (wallNow >= held.wallUntil)
            heldServices.insert(family.substr(0, family.find('\x1f')));
    for (const std::string &service : heldServices)
        releaseHeld(service, std::numeric_limits<TimeNs>::min(), wallNow, out);
    for (const AlertRule &rule : *m_snapshot) {
        if (rule.kind != AlertRule::Kind::Silent || !rule.enabled)
            continue;
        const TimeNs limit = std::max(rule.forMinutes, 1) * kMinuteNs;
        for (const auto &[service, last] : lastReceived) {
            if (!rule.matchesService(service))
                continue;
            auto open = m_silentAlerts.find(service);
            const bool silent = wallNow - last >= limit;
            if (silent && open == m_silentAlerts.end() && !m_quietAlerts.count(service)) {
                Alert &a = create(rule, service, {}, last + limit, wallNow);
                a.explanation = rule.name + ": no data from " + service + " since " + formatIsoMs(last) + " ("
                                + std::to_string((wallNow - last) / kMinuteNs) + " min).";
                m_silentAlerts[service] = a.id;
                transition(a, Alert::State::Pending, last + limit, "no data", wallNow, out);
                fire(a, rule, last + limit, "no data for " + std::to_string(rule.forMinutes) + " min", wallNow, out);
            } else if (!silent && open != m_silentAlerts.end()) {
                auto it = m_open.find(open->second);
                if (it != m_open.end())
                    resolve(it->second, &rule, last, "data arrived again", wallNow, out);
                m_silentAlerts.erase(open);
            }
        }
    }
    for (auto &[id, last] : m_lastNotified) {
        auto it = m_open.find(id);
        if (it == m_open.end() || !it->second.acknowledgedBy.empty())
            continue;
        const AlertRule *rule = ruleById(it->second.ruleId);
        const int every = rule && rule->suppressionMinutes > 0 ? rule->suppressionMinutes : m_options.repeatMinutes;
        if (wallNow - last < every * kMinuteNs || (rule && silenced(it->second, *rule, wallNow)))
            continue;
        last = wallNow;
        notify(it->second, NotificationIntent::Kind::Repeat, rule ? rule->channels : std::vector<std::string>{}, wallNow,
               out);
    }
    // Escalation: a critical alert nobody acknowledged goes to the rule's escalation channels, once.
    for (const auto &[id, first] : m_firstNotified) {
        auto it = m_open.find(id);
        if (it == m_open.end() || m_escalated.count(id) || !it->second.acknowledgedBy.empty()
            || it->second.level != AlertLevel::Critical)
            continue;
        const AlertRule *rule = ruleById(it->second.ruleId);
        if (!rule || rule->escalationMinutes <= 0 || rule->escalationChannels.empty()
            || wallNow - first < rule->escalationMinutes * kMinuteNs)
            continue;
        m_escalated.insert(id);
        out.transitions.push_back(historyNote(
            it->second, wallNow, "escalated: not acknowledged within " + std::to_string(rule->escalationMinutes) + " min"));
        notify(it->second, NotificationIntent::Kind::Escalation, rule->escalationChannels, wallNow, out);
    }
    return deliver(std::move(out), submit, false);
}

void AlertEvaluator::setSilences(std::vector<Silence> silences)
{
    std::lock_guard lock(m_mutex);
    m_silences = std::move(silences);
}

std::vector<Silence> AlertEvaluator::silences() const
{
    std::lock_guard lock(m_mutex);
    return m_silences;
}

std::optional<Alert> AlertEvaluator::acknowledge(std::int64_t id, const std::string &by, const std::string &note,
                                                 TimeNs wallNow, const Submit &submit, bool inHistory)
{
    std::lock_guard lock(m_mutex);
    AlertChanges changes;
    auto it = m_open.find(id);
    if (it == m_open.end()) {
        if (!inHistory)
            return std::nullopt;
        // History (resolved): only its acknowledgement columns change, never the row as a whole.
        Alert resolved;
        resolved.id = id;
        resolved.state = Alert::State::Resolved;
        changes.transitions.push_back(acknowledgeAlert(resolved, by, note, wallNow));
        changes.acknowledgements.push_back({id, by, note, wallNow});
        submit(std::move(changes));
        return std::nullopt;
    }
    Alert &a = it->second;
    changes.transitions.push_back(acknowledgeAlert(a, by, note, wallNow));
    changes.alerts.push_back(a);
    submit(std::move(changes));
    return a;
}

Alert AlertEvaluator::testAlert(const std::string &service, TimeNs wallNow, const Submit &submit)
{
    std::lock_guard lock(m_mutex);
    AlertChanges changes;
    Alert a;
    a.id = m_ids->next();
    a.service = service;
    a.reason = "Test alert";
    a.level = AlertLevel::Info;
    a.test = true;
    a.pendingSince = a.firedAt = a.resolvedAt = wallNow;
    a.state = Alert::State::Resolved;
    a.explanation = "Test alert for " + service + ": if you read this, the channel works.";
    a.updated = wallNow;
    changes.transitions.push_back({a.id, wallNow, wallNow, "", "firing", "test alert"});
    changes.transitions.push_back({a.id, wallNow, wallNow, "firing", "resolved", "test alert"});
    notify(a, NotificationIntent::Kind::Test, {}, wallNow, changes);
    changes.alerts.push_back(a);
    submit(std::move(changes));
    return a;
}

std::vector<Alert> AlertEvaluator::open() const
{
    std::lock_guard lock(m_mutex);
    std::vector<Alert> out;
    for (const auto &[id, a] : m_open)
        out.push_back(a);
    return out;
}

void AlertEvaluator::forgetServices(const std::string &prefix)
{
    std::lock_guard lock(m_mutex);
    std::set<std::int64_t> gone;
    for (const auto &[id, a] : m_open)
        if (a.service.starts_with(prefix))
            gone.insert(id);
    // Every key below names the service first (dedup, anomaly and hold keys too), or is an alert id.
    auto byName = [&prefix](const auto &entry) { return entry.first.starts_with(prefix); };
    auto byId = [&gone](const auto &entry) { return gone.count(entry.first) > 0; };
    std::erase_if(m_open, byId);
    std::erase_if(m_tracks, [&prefix](const auto &entry) { return std::get<1>(entry.first).starts_with(prefix); });
    std::erase_if(m_anomalyAlerts, byName);
    std::erase_if(m_held, byName);
    std::erase_if(m_returns, byId);
    std::erase_if(m_silentAlerts, byName);
    std::erase_if(m_lastMinute, byName);
    std::erase_if(m_quietAlerts, byName);
    std::erase_if(m_newErrorAlerts, byName);
    std::erase_if(m_lastNotified, byId);
    std::erase_if(m_firstNotified, byId);
    std::erase_if(m_escalated, [&gone](std::int64_t id) { return gone.count(id) > 0; });
    std::erase_if(m_dedup, byName);
    std::erase_if(m_incidents, [&prefix](const auto &entry) { return entry.second.incident.service.starts_with(prefix); });
    std::erase_if(m_serviceIncident, byName);
}

} // namespace fg
