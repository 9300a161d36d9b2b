#include "alertroutes.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <array>
#include <future>
#include <map>

#include "alerting/alertcsv.h"
#include "alerting/alertevaluator.h"
#include "alerting/channel.h"
#include "apierror.h"
#include "queryparams.h"
#include "queryrunner.h"
#include "routehelpers.h"
#include "routetable.h"
#include "store/storewriter.h"

namespace fg {

namespace {

std::string compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString(); }

// Filters shared by the list and the export; nullopt after answering 400.
std::optional<AlertQuery> alertQuery(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    AlertQuery q;
    if (auto e = params.window(q.window, nowNs())) {
        responder.send(paramError(*e));
        return std::nullopt;
    }
    q.service = params.text(QStringLiteral("service")).toStdString();
    q.state = params.text(QStringLiteral("state")).toLower().toStdString();
    if (!q.state.empty() && q.state != "pending" && q.state != "firing" && q.state != "resolved" && q.state != "open") {
        responder.send(paramError({QStringLiteral("state"), QStringLiteral("expected pending, firing, resolved or open")}));
        return std::nullopt;
    }
    q.level = params.text(QStringLiteral("level")).toLower().toStdString();
    if (!q.level.empty() && !parseAlertLevel(q.level)) {
        responder.send(paramError({QStringLiteral("level"), QStringLiteral("expected info, warning, error or critical")}));
        return std::nullopt;
    }
    if (auto e = params.search(q.text)) {
        responder.send(paramError(*e));
        return std::nullopt;
    }
    return q;
}

QJsonValue isoOrNull(TimeNs t) { return t ? QJsonValue(QString::fromStdString(formatIsoMs(t))) : QJsonValue(); }

// At most this many alerts are listed with each incident of GET /api/incidents (alert_count has them all).
constexpr std::size_t kMaxListedAlerts = 100;

// An alert as listed beneath its incident: what a row in the window needs, not its full detail.
QJsonObject incidentAlertJson(const Alert &a)
{
    return QJsonObject{{QStringLiteral("id"), qint64(a.id)},
                       {QStringLiteral("rule_id"), qint64(a.ruleId)},
                       {QStringLiteral("endpoint"), QString::fromStdString(a.endpoint)},
                       {QStringLiteral("reason"), QString::fromStdString(a.reason)},
                       {QStringLiteral("level"), QString::fromUtf8(alertLevelName(a.level).data())},
                       {QStringLiteral("state"), QString::fromUtf8(alertStateName(a.state).data())},
                       {QStringLiteral("fired_at"), isoOrNull(a.firedAt)},
                       {QStringLiteral("resolved_at"), isoOrNull(a.resolvedAt)},
                       {QStringLiteral("acknowledged_by"),
                        a.acknowledgedBy.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(a.acknowledgedBy))},
                       {QStringLiteral("silenced"), a.silenced}};
}

// An incident with a one-paragraph explanation built from its alerts, and the alerts themselves (the first
// kMaxListedAlerts; the detail route replaces them with every alert in full).
QJsonObject incidentJson(const Incident &i, const std::vector<Alert> &alerts)
{
    std::string text = i.service + ": " + std::to_string(i.alertCount) + (i.alertCount == 1 ? " alert" : " alerts");
    if (!alerts.empty()) {
        text += " — ";
        for (std::size_t k = 0; k < alerts.size() && k < 5; ++k)
            text += (k ? "; " : "") + alerts[k].reason + " (" + std::string(alertLevelName(alerts[k].level)) + ", "
                    + std::string(alertStateName(alerts[k].state)) + ")";
        if (alerts.size() > 5)
            text += "; …";
    }
    text += ". Worst: " + std::string(alertLevelName(i.severity)) + "; since " + formatIsoMs(i.openedAt)
            + (i.closedAt ? ", closed " + formatIsoMs(i.closedAt) : std::string(", still open")) + ".";
    if (!alerts.empty())
        text += " First: " + alerts.front().explanation;
    QJsonArray listed;
    for (std::size_t k = 0; k < alerts.size() && k < kMaxListedAlerts; ++k)
        listed.append(incidentAlertJson(alerts[k]));
    return QJsonObject{{QStringLiteral("id"), qint64(i.id)},
                       {QStringLiteral("service"), QString::fromStdString(i.service)},
                       {QStringLiteral("title"), QString::fromStdString(i.title)},
                       {QStringLiteral("severity"), QString::fromUtf8(alertLevelName(i.severity).data())},
                       {QStringLiteral("state"), i.closedAt ? QStringLiteral("closed") : QStringLiteral("open")},
                       {QStringLiteral("opened_at"), isoOrNull(i.openedAt)},
                       {QStringLiteral("closed_at"), isoOrNull(i.closedAt)},
                       {QStringLiteral("last_activity_at"), isoOrNull(i.lastActivity)},
                       {QStringLiteral("alert_count"), i.alertCount},
                       {QStringLiteral("explanation"), QString::fromStdString(text)},
                       {QStringLiteral("alerts"), listed}};
}

} // namespace

void AlertRoutes::addRoutes(RouteTable &table)
{
    using Params = const RouteParams &;
    using Out = const HttpResponder &;
    // Reads need the read scope, changes the admin scope; /alerts/{id} is outside /api, where every path
    // needs the ingest scope.
    auto add = [&table](const char *method, const char *pattern, TokenScope scope, RouteHandler handler) {
        table.add({method, pattern, scope, std::move(handler), "alerting"});
    };
    add("GET", "/api/rules", TokenScope::Read, [this](HttpRequest &, Params, Out out) { listRules(out); });
    add("POST", "/api/rules", TokenScope::Admin, [this](HttpRequest &request, Params, Out out) { createRule(request, out); });
    add("PUT", "/api/rules/{id:id}", TokenScope::Admin,
        [this](HttpRequest &request, Params params, Out out) { replaceRule(params.id("id"), request, out); });
    add("DELETE", "/api/rules/{id:id}", TokenScope::Admin,
        [this](HttpRequest &, Params params, Out out) { deleteRule(params.id("id"), out); });
    add("GET", "/api/alerts", TokenScope::Read, [this](HttpRequest &request, Params, Out out) { listAlerts(request, out); });
    add("GET", "/api/alerts/export.csv", TokenScope::Read,
        [this](HttpRequest &request, Params, Out out) { exportAlerts(request, out); });
    add("GET", "/api/alerts/histogram", TokenScope::Read,
        [this](HttpRequest &request, Params, Out out) { alertHistogram(request, out); });
    add("GET", "/api/alerts/{id:id}", TokenScope::Read, [this](HttpRequest &, Params params, Out out) { getAlert(params.id("id"), out); });
    add("POST", "/api/alerts/{id:id}/acknowledge", TokenScope::Admin,
        [this](HttpRequest &request, Params params, Out out) { acknowledge(params.id("id"), request, out); });
    add("GET", "/alerts/{id:id}", TokenScope::Ingest, [this](HttpRequest &, Params params, Out out) { alertPage(params.id("id"), out); });
    add("GET", "/api/silences", TokenScope::Read, [this](HttpRequest &, Params, Out out) { listSilences(out); });
    add("POST", "/api/silences", TokenScope::Admin, [this](HttpRequest &request, Params, Out out) { createSilence(request, out); });
    add("DELETE", "/api/silences/{id:id}", TokenScope::Admin,
        [this](HttpRequest &, Params params, Out out) { deleteSilence(params.id("id"), out); });
    add("GET", "/api/incidents", TokenScope::Read, [this](HttpRequest &request, Params, Out out) { listIncidents(request, out); });
    add("GET", "/api/incidents/{id:id}", TokenScope::Read,
        [this](HttpRequest &, Params params, Out out) { getIncident(params.id("id"), out); });
    add("POST", "/api/test-alert", TokenScope::Admin, [this](HttpRequest &request, Params, Out out) { testAlert(request, out); });
}

void AlertRoutes::listRules(const HttpResponder &responder)
{
    QJsonArray items;
    for (const AlertRule &r : *m_deps.rules->current())
        items.append(r.toJson());
    responder.send(jsonResponse(200, QJsonObject{{QStringLiteral("items"), items}}));
}

void AlertRoutes::createRule(const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder);
    if (!body)
        return;
    QString field, message, limit;
    auto rule = AlertRule::fromJson(*body, nullptr, &field, &message, &limit);
    if (!rule)
        return responder.send(fieldError(field, message, limit));
    if (m_deps.rules->current()->size() >= std::size_t(AlertRule::kMaxRules))
        return responder.send(fieldError(QStringLiteral("body"),
                                         QStringLiteral("there are already %1 rules (max_rules); delete one first")
                                             .arg(AlertRule::kMaxRules),
                                         QStringLiteral("max_rules")));
    rule->id = m_deps.ids->next();
    auto job = std::make_unique<WriteJob>();
    job->rules.emplace_back(rule->id, compact(rule->toJson()));
    storeThenAnswer(m_deps.writer, std::move(job), responder, [book = m_deps.rules, r = *rule] {
        std::vector<AlertRule> rules = *book->current();
        rules.push_back(r);
        book->set(std::move(rules));
        return jsonResponse(201, r.toJson());
    });
}

void AlertRoutes::replaceRule(std::int64_t id, const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder);
    if (!body)
        return;
    const auto current = m_deps.rules->current();
    const auto it = std::find_if(current->begin(), current->end(), [id](const AlertRule &r) { return r.id == id; });
    if (it == current->end())
        return responder.send(apiError(404, QStringLiteral("no rule %1").arg(id), QJsonObject{{QStringLiteral("id"), qint64(id)}}));
    QJsonObject doc = *body;
    doc.remove(QStringLiteral("id"));
    doc.remove(QStringLiteral("builtin"));
    QString field, message, limit;
    auto rule = AlertRule::fromJson(doc, &*it, &field, &message, &limit);
    if (!rule)
        return responder.send(fieldError(field, message, limit));
    auto job = std::make_unique<WriteJob>();
    job->rules.emplace_back(id, compact(rule->toJson()));
    storeThenAnswer(m_deps.writer, std::move(job), responder, [book = m_deps.rules, r = *rule] {
        std::vector<AlertRule> rules = *book->current();
        for (AlertRule &existing : rules)
            if (existing.id == r.id)
                existing = r;
        book->set(std::move(rules));
        return jsonResponse(200, r.toJson());
    });
}

void AlertRoutes::deleteRule(std::int64_t id, const HttpResponder &responder)
{
    const auto current = m_deps.rules->current();
    const auto it = std::find_if(current->begin(), current->end(), [id](const AlertRule &r) { return r.id == id; });
    if (it == current->end())
        return responder.send(apiError(404, QStringLiteral("no rule %1").arg(id), QJsonObject{{QStringLiteral("id"), qint64(id)}}));
    if (it->builtin())
        return responder.send(apiError(409, QStringLiteral("built-in rules can be disabled (\"enabled\": false), not deleted"),
                                       QJsonObject{{QStringLiteral("id"), qint64(id)}}));
    auto job = std::make_unique<WriteJob>();
    job->rules.emplace_back(id, std::string());
    storeThenAnswer(m_deps.writer, std::move(job), responder, [book = m_deps.rules, id] {
        std::vector<AlertRule> rules = *book->current();
        rules.erase(std::remove_if(rules.begin(), rules.end(), [id](const AlertRule &r) { return r.id == id; }), rules.end());
        book->set(std::move(rules));
        return jsonResponse(200, QJsonObject{{QStringLiteral("deleted"), qint64(id)}});
    });
}

void AlertRoutes::listAlerts(const HttpRequest &request, const HttpResponder &responder)
{
    const auto q = alertQuery(request, responder);
    if (!q)
        return;
    m_deps.queries->run(
        [q = *q](StoreReader &reader) {
            const Page<Alert> result = reader.alerts(q);
            const TimeNs now = nowNs();
            QJsonArray items;
            for (const Alert &a : result.items)
                items.append(alertJson(a, now));
            return jsonResponse(200, page(items, result.nextCursor));
        },
        responder);
}

void AlertRoutes::exportAlerts(const HttpRequest &request, const HttpResponder &responder)
{
    auto q = alertQuery(request, responder);
    if (!q)
        return;
    // With `limit` the report comes in pages (the header row on the first only; X-Next-Cursor names the
    // next one), so a client can write it as it arrives and stop; without it, the whole report at once.
    const QueryParams params(request.query);
    const bool paged = params.has(QStringLiteral("limit"));
    const bool firstPage = !params.has(QStringLiteral("cursor"));
    if (!paged)
        q->window.limit = 1000;
    m_deps.queries->run(
        [q = *q, paged, firstPage](StoreReader &reader) mutable {
            const TimeNs now = nowNs();
            std::string csv = firstPage ? alertCsvHeader() : std::string();
            std::optional<Cursor> next;
            // Every matching alert (or one page of them), a page at a time, newest first.
            for (;;) {
                const Page<Alert> result = reader.alerts(q);
                for (const Alert &a : result.items)
                    csv += alertCsvRow(a, now);
                next = result.nextCursor;
                if (!next || paged)
                    break;
                q.window.after = next;
            }
            HttpResponse r;
            if (paged && next)
                r.headers.emplace_back("X-Next-Cursor", encodeCursor(*next).toLatin1());
            r.status = 200;
            r.contentType = "text/csv; charset=utf-8; header=present";
            r.body = QByteArray::fromStdString(csv);
            r.headers.emplace_back("Content-Disposition", "attachment; filename=\"flowguard-alerts.csv\"");
            return r;
        },
        responder);
}

void AlertRoutes::alertHistogram(const HttpRequest &request, const HttpResponder &responder)
{
    auto q = alertQuery(request, responder);
    if (!q)
        return;
    TimeNs step = 0;
    if (auto e = QueryParams(request.query).step(step))
        return responder.send(paramError(*e));
    if (!step)
        step = 3600 * kNsPerSec;
    q->window.limit = 1000;
    m_deps.queries->run(
        [q = *q, step](StoreReader &reader) mutable {
            // Alerts by the step their time (fired, else pending since) falls in, per level; only steps with
            // alerts, oldest first, at most kMaxHistogramBuckets of them.
            constexpr std::size_t kMaxHistogramBuckets = 10'000;
            std::map<TimeNs, std::array<int, 4>> buckets;
            bool truncated = false;
            for (;;) {
                const Page<Alert> result = reader.alerts(q);
                for (const Alert &a : result.items) {
                    const TimeNs at = a.firedAt ? a.firedAt : a.pendingSince;
                    if (at < q.window.from || at > q.window.to)
                        continue;
                    const TimeNs start = at - ((at % step) + step) % step;
                    if (!buckets.count(start) && buckets.size() == kMaxHistogramBuckets) {
                        truncated = true;
                        continue;
                    }
                    buckets[start][std::size_t(a.level)] += 1;
                }
                if (!result.nextCursor)
                    break;
                q.window.after = result.nextCursor;
            }
            QJsonArray items;
            for (const auto &[start, counts] : buckets) {
                QJsonObject o{{QStringLiteral("at"), QString::fromStdString(formatIsoMs(start))}};
                for (const AlertLevel level : {AlertLevel::Info, AlertLevel::Warning, AlertLevel::Error, AlertLevel::Critical})
                    o.insert(QString::fromUtf8(alertLevelName(level).data()), counts[std::size_t(level)]);
                items.append(o);
            }
            return jsonResponse(200, QJsonObject{{QStringLiteral("step_s"), qint64(step / kNsPerSec)},
                                                 {QStringLiteral("items"), items},
                                                 {QStringLiteral("truncated"), truncated}});
        },
        responder);
}

void AlertRoutes::getAlert(std::int64_t id, const HttpResponder &responder)
{
    m_deps.queries->run(
        [id, channels = m_deps.channels](StoreReader &reader) {
            const auto a = reader.alert(id);
            if (!a)
                return apiError(404, QStringLiteral("no alert %1").arg(id), QJsonObject{{QStringLiteral("id"), qint64(id)}});
            QJsonObject o = alertJson(*a, nowNs());
            QJsonArray history;
            for (const AlertTransition &t : reader.alertTransitions(id))
                history.append(QJsonObject{{QStringLiteral("at"), QString::fromStdString(formatIsoMs(t.at))},
                                           {QStringLiteral("recorded_at"), QString::fromStdString(formatIsoMs(t.wall))},
                                           {QStringLiteral("from"), QString::fromStdString(t.from)},
                                           {QStringLiteral("to"), QString::fromStdString(t.to)},
                                           {QStringLiteral("reason"), QString::fromStdString(t.reason)}});
            o.insert(QStringLiteral("history"), history);
            // Delivery status per channel and notification.
            const auto known = channels->current();
            QJsonArray deliveries;
            QJsonObject notifiedAt; // channel → wall time of its first delivered notification
            for (const Delivery &d : reader.deliveries(id)) {
                const auto c = std::find_if(known->begin(), known->end(), [&](const Channel &ch) { return ch.id == d.channelId; });
                auto time = [](TimeNs t) { return t ? QJsonValue(QString::fromStdString(formatIsoMs(t))) : QJsonValue(); };
                deliveries.append(QJsonObject{
                    {QStringLiteral("channel"), c == known->end() ? QJsonValue() : QJsonValue(QString::fromStdString(c->name))},
                    {QStringLiteral("channel_id"), qint64(d.channelId)},
                    {QStringLiteral("kind"), QString::fromStdString(d.kind)},
                    {QStringLiteral("state"), QString::fromStdString(d.state)},
                    {QStringLiteral("attempts"), d.attempts},
                    {QStringLiteral("queued_at"), time(d.created)},
                    {QStringLiteral("next_attempt"), d.state == "pending" ? time(d.nextAttempt) : QJsonValue()},
                    {QStringLiteral("notified_at"), time(d.deliveredAt)},
                    {QStringLiteral("last_error"), d.lastError.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(d.lastError))}});
                if (d.deliveredAt && c != known->end() && !notifiedAt.contains(QString::fromStdString(c->name)))
                    notifiedAt.insert(QString::fromStdString(c->name), time(d.deliveredAt));
            }
            o.insert(QStringLiteral("deliveries"), deliveries);
            o.insert(QStringLiteral("notified_at"), notifiedAt);
            return jsonResponse(200, o);
        },
        responder);
}

void AlertRoutes::alertPage(std::int64_t id, const HttpResponder &responder)
{
    m_deps.queries->run(
        [id](StoreReader &reader) {
            HttpResponse r;
            r.contentType = "text/html; charset=utf-8";
            const auto a = reader.alert(id);
            if (!a) {
                r.status = 404;
                r.body = "<!doctype html><title>FlowGuard</title><p>No alert " + QByteArray::number(id) + ".</p>";
                return r;
            }
            auto h = [](const std::string &s) { return QString::fromStdString(s).toHtmlEscaped(); };
            auto t = [](TimeNs v) { return v ? QString::fromStdString(formatIsoMs(v)) : QStringLiteral("—"); };
            QString html = QStringLiteral("<!doctype html><meta charset=\"utf-8\"><title>FlowGuard alert %1</title>"
                                          "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}"
                                          "td{padding:.2em 1em .2em 0;vertical-align:top}</style>")
                               .arg(id);
            html += QStringLiteral("<h1>%1 — %2</h1><p>%3</p><table>")
                        .arg(h(a->service + (a->endpoint.empty() ? "" : " " + a->endpoint)), h(a->reason), h(a->explanation));
            const std::pair<QString, QString> rows[] = {
                {QStringLiteral("Level"), h(std::string(alertLevelName(a->level)))},
                {QStringLiteral("State"), h(std::string(alertStateName(a->state))) + (a->silenced ? QStringLiteral(" (silenced)") : QString())},
                {QStringLiteral("Fired"), t(a->firedAt)},
                {QStringLiteral("Resolved"), t(a->resolvedAt)},
                {QStringLiteral("Acknowledged"), a->acknowledgedBy.empty() ? QStringLiteral("—")
                                                                            : h(a->acknowledgedBy) + QStringLiteral(", ") + t(a->acknowledgedAt)}};
            for (const auto &[label, value] : rows)
                html += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>").arg(label, value);
            html += QStringLiteral("</table><h2>History</h2><ul>");
            for (const AlertTransition &step : reader.alertTransitions(id))
                html += QStringLiteral("<li>%1 %2 → %3: %4</li>").arg(t(step.at), h(step.from), h(step.to), h(step.reason));
            html += QStringLiteral("</ul><p><a href=\"/api/alerts/%1\">JSON</a></p>").arg(id);
            r.status = 200;
            r.body = html.toUtf8();
            return r;
        },
        responder);
}

void AlertRoutes::acknowledge(std::int64_t id, const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder, true);
    if (!body)
        return;
    for (const char *key : {"by", "acknowledged_by", "user", "note", "comment"})
        if (body->contains(QString::fromLatin1(key)) && !body->value(QString::fromLatin1(key)).isString())
            return responder.send(fieldError(QString::fromLatin1(key), QStringLiteral("expected a string")));
    QString who = body->value(QStringLiteral("by")).toString();
    for (const char *alias : {"acknowledged_by", "user"})
        if (who.isEmpty())
            who = body->value(QString::fromLatin1(alias)).toString();
    const std::string by = who.trimmed().isEmpty() ? std::string("api") : who.trimmed().toStdString();
    const std::string note =
        body->value(QStringLiteral("note")).toString(body->value(QStringLiteral("comment")).toString()).toStdString();
    // The evaluator owns alert state: it applies the acknowledgement and submits it to storage in order
    // with its own changes. Whether the alert exists in the history is a query, so this runs on the pool.
    m_deps.queries->run(
        [id, by, note, writer = m_deps.writer, alerts = m_deps.alerts](StoreReader &reader) {
            std::optional<Alert> stored = reader.alert(id);
            const TimeNs now = nowNs();
            std::promise<WriteOutcome> written;
            auto outcome = written.get_future();
            bool submitted = false;
            const std::optional<Alert> open = alerts->acknowledge(
                id, by, note, now,
                [&](AlertChanges &&changes) {
                    auto job = std::make_unique<WriteJob>();
                    job->alerts = std::move(changes);
                    job->done = [&written](const WriteOutcome &o) { written.set_value(o); };
                    submitted = true;
                    writer->submit(std::move(job));
                },
                stored.has_value());
            if (!submitted)
                return apiError(404, QStringLiteral("no alert %1").arg(id), QJsonObject{{QStringLiteral("id"), qint64(id)}});
            const WriteOutcome o = outcome.get();
            if (!o.ok)
                return apiError(500, QStringLiteral("not stored: %1").arg(QString::fromStdString(o.error)));
            if (open)
                return jsonResponse(200, alertJson(*open, now));
            acknowledgeAlert(*stored, by, note, now); // the answer shows the row as now stored
            return jsonResponse(200, alertJson(*stored, now));
        },
        responder);
}

void AlertRoutes::testAlert(const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder, true);
    if (!body)
        return;
    const QJsonValue service = body->value(QStringLiteral("service"));
    if (!service.isUndefined() && (!service.isString() || service.toString().trimmed().isEmpty()))
        return responder.send(fieldError(QStringLiteral("service"), QStringLiteral("expected a service name")));
    const std::string name = service.isString() ? service.toString().trimmed().toStdString() : "flowguard";
    m_deps.alerts->testAlert(name, nowNs(), [&](AlertChanges &&changes) {
        auto job = std::make_unique<WriteJob>();
        const Alert a = changes.alerts.back();
        job->alerts = std::move(changes);
        storeThenAnswer(m_deps.writer, std::move(job), responder, [a] { return jsonResponse(202, alertJson(a, nowNs())); });
    });
}

void AlertRoutes::listIncidents(const HttpRequest &request, const HttpResponder &responder)
{
    const QueryParams params(request.query);
    TimeWindow window;
    if (auto e = params.window(window, nowNs()))
        return responder.send(paramError(*e));
    const QString state = params.text(QStringLiteral("state")).toLower();
    if (!state.isEmpty() && state != QLatin1String("open") && state != QLatin1String("closed"))
        return responder.send(paramError({QStringLiteral("state"), QStringLiteral("expected open or closed")}));
    const std::string service = params.text(QStringLiteral("service")).toStdString();
    m_deps.queries->run(
        [window, service, state](StoreReader &reader) {
            const Page<Incident> result = reader.incidents(window, service, state == QLatin1String("open"));
            QJsonArray items;
            for (const Incident &i : result.items)
                if (state != QLatin1String("closed") || i.closedAt)
                    items.append(incidentJson(i, reader.incidentAlerts(i.id)));
            return jsonResponse(200, page(items, result.nextCursor));
        },
        responder);
}

void AlertRoutes::getIncident(std::int64_t id, const HttpResponder &responder)
{
    m_deps.queries->run(
        [id](StoreReader &reader) {
            const auto incident = reader.incident(id);
            if (!incident)
                return apiError(404, QStringLiteral("no incident %1").arg(id), QJsonObject{{QStringLiteral("id"), qint64(id)}});
            const std::vector<Alert> alerts = reader.incidentAlerts(id);
            QJsonObject o = incidentJson(*incident, alerts);
            const TimeNs now = nowNs();
            QJsonArray list;
            // The timeline: every step of every alert, in event-time order.
            std::vector<std::pair<AlertTransition, const Alert *>> steps;
            for (const Alert &a : alerts) {
                list.append(alertJson(a, now));
                for (const AlertTransition &t : reader.alertTransitions(a.id))
                    steps.emplace_back(t, &a);
            }
            std::stable_sort(steps.begin(), steps.end(), [](const auto &x, const auto &y) { return x.first.at < y.first.at; });
            QJsonArray timeline;
            for (const auto &[t, a] : steps)
                timeline.append(QJsonObject{{QStringLiteral("at"), isoOrNull(t.at)},
                                            {QStringLiteral("alert_id"), qint64(a->id)},
                                            {QStringLiteral("reason"), QString::fromStdString(a->reason)},
                                            {QStringLiteral("from"), QString::fromStdString(t.from)},
                                            {QStringLiteral("to"), QString::fromStdString(t.to)},
                                            {QStringLiteral("note"), QString::fromStdString(t.reason)}});
            o.insert(QStringLiteral("alerts"), list);
            o.insert(QStringLiteral("timeline"), timeline);
            return jsonResponse(200, o);
        },
        responder);
}

void AlertRoutes::listSilences(const HttpResponder &responder)
{
    QJsonArray items;
    const TimeNs now = nowNs();
    for (const Silence &s : m_deps.alerts->silences()) {
        QJsonObject o = s.toJson();
        o.insert(QStringLiteral("active"), s.activeAt(now));
        items.append(o);
    }
    responder.send(jsonResponse(200, QJsonObject{{QStringLiteral("items"), items}}));
}

void AlertRoutes::createSilence(const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder);
    if (!body)
        return;
    QString field, message, limit;
    auto silence = Silence::fromJson(*body, nowNs(), &field, &message, &limit);
    if (!silence)
        return responder.send(fieldError(field, message, limit));
    if (m_deps.alerts->silences().size() >= std::size_t(Silence::kMaxSilences))
        return responder.send(fieldError(QStringLiteral("body"),
                                         QStringLiteral("there are already %1 silences (max_silences); delete one first")
                                             .arg(Silence::kMaxSilences),
                                         QStringLiteral("max_silences")));
    silence->id = m_deps.ids->next();
    auto job = std::make_unique<WriteJob>();
    job->silences.push_back(*silence);
    storeThenAnswer(m_deps.writer, std::move(job), responder, [alerts = m_deps.alerts, s = *silence] {
        std::vector<Silence> all = alerts->silences();
        all.push_back(s);
        alerts->setSilences(std::move(all));
        return jsonResponse(201, s.toJson());
    });
}

void AlertRoutes::deleteSilence(std::int64_t id, const HttpResponder &responder)
{
    const std::vector<Silence> all = m_deps.alerts->silences();
    if (std::none_of(all.begin(), all.end(), [id](const Silence &s) { return s.id == id; }))
        return responder.send(apiError(404, QStringLiteral("no silence %1").arg(id), QJsonObject{{QStringLiteral("id"), qint64(id)}}));
    auto job = std::make_unique<WriteJob>();
    job->deletedSilences.push_back(id);
    storeThenAnswer(m_deps.writer, std::move(job), responder, [alerts = m_deps.alerts, id] {
        std::vector<Silence> rest = alerts->silences();
        rest.erase(std::remove_if(rest.begin(), rest.end(), [id](const Silence &s) { return s.id == id; }), rest.end());
        alerts->setSilences(std::move(rest));
        return jsonResponse(200, QJsonObject{{QStringLiteral("deleted"), qint64(id)}});
    });
}

} // namespace fg
