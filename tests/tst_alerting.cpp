#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "alerting/alertcsv.h"
#include "alerting/alertevaluator.h"
#include "alerting/condition.h"

using namespace fg;

namespace {
constexpr TimeNs kT0 = 1'704'110'400LL * kNsPerSec;
constexpr TimeNs kMin = 60 * kNsPerSec;

// A closed minute of `service`: `requests` requests of which `errors` failed, all at `latencyMs`.
KpiRollup minute(int m, int requests, int errors, double latencyMs = 100, const std::string &service = "checkout")
{
    KpiRollup k;
    k.service = service;
    k.start = kT0 + m * kMin;
    k.events = k.requests = std::uint64_t(requests);
    k.errorEvents = k.requestErrors = std::uint64_t(errors);
    for (int i = 0; i < requests; ++i)
        k.latency.add(latencyMs);
    return k;
}

KpiWindow window(int requests, int errors, double latencyMs, int span = 5)
{
    KpiWindow w;
    w.merged = minute(0, requests, errors, latencyMs);
    w.minutes = span;
    w.span = span;
    return w;
}

AlertRule thresholdRule(std::int64_t id, const std::string &condition, int windowMin, int forMin)
{
    AlertRule r;
    r.id = id;
    r.name = "rule " + std::to_string(id);
    r.condition = Condition::parse(condition, nullptr);
    r.windowMinutes = windowMin;
    r.forMinutes = forMin;
    return r;
}

// A JSON object from text written with single quotes.
QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text).replace('\'', '"')).object();
}

Channel channel(std::int64_t id, const std::string &name, bool enabled = true)
{
    Channel c;
    c.id = id;
    c.name = name;
    c.enabled = enabled;
    return c;
}

int countTransitions(const AlertChanges &c, const std::string &to)
{
    return int(std::count_if(c.transitions.begin(), c.transitions.end(), [&](const AlertTransition &t) { return t.to == to; }));
}
} // namespace

class TstAlerting : public QObject {
    Q_OBJECT

private slots:
    void conditionsParseAndEvaluate_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("requests");
        QTest::addColumn<int>("errors");
        QTest::addColumn<double>("latency");
        QTest::addColumn<bool>("expected");
        // An error rate starts an alert only with evidence: its 95 % Wilson lower bound over the threshold.
        QTest::newRow("rate over") << "error_rate > 0.05" << 1000 << 80 << 10.0 << true;
        QTest::newRow("rate under") << "error_rate > 0.05" << 1000 << 50 << 10.0 << false;
        QTest::newRow("rate over, little evidence") << "error_rate > 0.05" << 100 << 6 << 10.0 << false;
        QTest::newRow("one error at night") << "error_rate > 5%" << 18 << 1 << 10.0 << false;
        QTest::newRow("few failures") << "error_rate > 5%" << 4 << 2 << 10.0 << false;
        QTest::newRow("many failures") << "error_rate > 5%" << 60 << 12 << 10.0 << true;
        QTest::newRow("percent") << "error_rate >= 5%" << 2000 << 140 << 10.0 << true;
        QTest::newRow("rate below") << "error_rate < 5%" << 1000 << 10 << 10.0 << true;
        QTest::newRow("rate below, few") << "error_rate < 5%" << 10 << 0 << 10.0 << false;
        QTest::newRow("latency ms") << "p95_latency_ms > 800" << 10 << 0 << 900.0 << true;
        QTest::newRow("latency s unit") << "p95_latency_ms > 1s" << 10 << 0 << 900.0 << false;
        QTest::newRow("throughput") << "throughput < 1" << 200 << 0 << 10.0 << true; // 200 / 300 s
        QTest::newRow("count errors") << "count(level>=ERROR) > 50" << 100 << 51 << 10.0 << true;
        QTest::newRow("count all") << "count(*) >= 100" << 100 << 0 << 10.0 << true;
        QTest::newRow("and") << "error_rate > 1% and p99_latency_ms > 500" << 100 << 2 << 400.0 << false;
        QTest::newRow("or") << "error_rate > 1% || p99_latency_ms > 500" << 1000 << 30 << 400.0 << true;
        QTest::newRow("not parens") << "not (requests < 10) AND errors == 0" << 100 << 0 << 1.0 << true;
        QTest::newRow("precedence") << "requests > 1000 or requests > 50 and errors > 0" << 100 << 1 << 1.0 << true;
    }
    void conditionsParseAndEvaluate()
    {
        QFETCH(QString, text);
        QFETCH(int, requests);
        QFETCH(int, errors);
        QFETCH(double, latency);
        QFETCH(bool, expected);
        ConditionError error;
        const auto c = Condition::parse(text.toStdString(), &error);
        QVERIFY2(c, error.text().c_str());
        QCOMPARE(c->evaluate(window(requests, errors, latency)), expected);
    }

    void badConditionsPointAtTheError_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("says");
        QTest::newRow("empty") << "  " << 3 << "empty";
        QTest::newRow("unknown kpi") << "error_rat > 1" << 1 << "unknown KPI 'error_rat'";
        QTest::newRow("no operator") << "error_rate 0.05" << 12 << "expected a comparison";
        QTest::newRow("no number") << "p95_latency_ms > fast" << 18 << "expected a number";
        QTest::newRow("unit mismatch") << "throughput > 5%" << 15 << "'%' only fits error_rate";
        QTest::newRow("dangling and") << "error_rate > 1 and" << 19 << "expected a KPI comparison";
        QTest::newRow("missing paren") << "(error_rate > 1" << 16 << "missing ')'";
        QTest::newRow("extra paren") << "error_rate > 1)" << 15 << "unmatched ')'";
        QTest::newRow("two conditions") << "error_rate > 1 requests > 2" << 16 << "join conditions";
        QTest::newRow("count filter") << "count(level>=WARN) > 5" << 1 << "count() takes";
    }
    void badConditionsPointAtTheError()
    {
        QFETCH(QString, text);
        QFETCH(int, column);
        QFETCH(QString, says);
        ConditionError error;
        QVERIFY(!Condition::parse(text.toStdString(), &error));
        QVERIFY2(QString::fromStdString(error.message).contains(says), error.text().c_str());
        QCOMPARE(error.column, column);
    }

    void ruleDocumentsAreValidated()
    {
        QString field, message;
        auto rule = AlertRule::fromJson(json("{'name':'slow checkout','condition':'p95_latency_ms > 800','window':'5m',"
                                             "'for':'2m','level':'critical','service':'check*','channels':['oncall']}"),
                                        nullptr, &field, &message);
        QVERIFY2(rule, qPrintable(field + QStringLiteral(": ") + message));
        QCOMPARE(rule->forMinutes, 2);
        QVERIFY(rule->matchesService("checkout"));
        QVERIFY(!rule->matchesService("auth"));
        auto rejected = [&](const char *doc, const AlertRule *base = nullptr) {
            return !AlertRule::fromJson(json(doc), base, &field, &message);
        };
        QVERIFY(rejected("{'name':'x','condition':'p95 > 1'}"));
        QCOMPARE(field, QStringLiteral("condition"));
        QVERIFY(message.contains(QStringLiteral("column 1")));
        QVERIFY(rejected("{'name':'x','condition':'errors > 1','level':'panic'}"));
        QCOMPARE(field, QStringLiteral("level"));
        QVERIFY(rejected("{'name':'x','condition':'errors > 1','window':'0m'}"));
        QCOMPARE(field, QStringLiteral("window"));
        QVERIFY(rejected("{'condition':'errors > 1'}"));
        QCOMPARE(field, QStringLiteral("name"));
        QVERIFY(rejected("{'name':'x','condition':'errors > 1','colour':'red'}"));
        QCOMPARE(field, QStringLiteral("colour"));
        // Built-ins keep their kind and take no condition.
        const AlertRule degradation = AlertRule::builtins().front();
        QVERIFY(rejected("{'condition':'errors > 1'}", &degradation));
        auto edited = AlertRule::fromJson(json("{'level':'critical'}"), &degradation, &field, &message);
        QVERIFY(edited && edited->kind == AlertRule::Kind::Degradation && edited->level == AlertLevel::Critical);
    }

    void forDurationThenHysteresisThenResolve()
    {
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 2)});
        AlertEvaluator::Options options;
        options.clearMinutes = 2;
        options.keepFiringMinutes = 0; // the hold has its own test
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, options);
        const TimeNs wall = kT0 + 3 * kMin; // the data is live
        auto feed = [&](int m, int errors) { return ev.onMinutes({minute(m, 100, errors)}, {}, {}, wall + m * kMin); };
        QVERIFY(feed(0, 1).empty());
        AlertChanges c = feed(1, 10); // condition met: pending
        QCOMPARE(countTransitions(c, "pending"), 1);
        QVERIFY(c.notifications.empty());
        c = feed(2, 10);
        QCOMPARE(countTransitions(c, "firing"), 0); // 1 min of the 2
        c = feed(3, 10);
        QCOMPARE(countTransitions(c, "firing"), 1);
        QCOMPARE(c.notifications.size(), std::size_t(1));
        QCOMPARE(c.alerts.back().firedAt, kT0 + 3 * kMin); // event time of the minute that made it fire
        QVERIFY(QString::fromStdString(c.alerts.back().explanation).contains(QStringLiteral("error rate 10 %")));
        // 4.8 % is under the threshold but inside the 10 % hysteresis band: still firing, and still quoting
        // the numbers that made it fire (never "error rate 4.76 % (rule: > 5 %)").
        c = feed(4, 5);
        QCOMPARE(countTransitions(c, "resolved"), 0);
        QVERIFY2(QString::fromStdString(c.alerts.back().explanation).contains(QStringLiteral("error rate 10 %")),
                 c.alerts.back().explanation.c_str());
        c = feed(5, 4); // clearly under, first clear minute
        QCOMPARE(countTransitions(c, "resolved"), 0);
        c = feed(6, 4); // second clear minute: resolved at the first clear minute's start
        QCOMPARE(countTransitions(c, "resolved"), 1);
        QCOMPARE(c.alerts.back().resolvedAt, kT0 + 5 * kMin);
        QCOMPARE(c.notifications.size(), std::size_t(1));
        QCOMPARE(c.notifications.front().kind, NotificationIntent::Kind::Resolved);
        QVERIFY(ev.open().empty());
    }

    void aThresholdAlertReturningWithinItsHoldIsTheSameAlert()
    {
        // Regression: a night error creep's "High error rate" cleared, fired again eleven minutes later and
        // paged twice for one incident. Cleared, it is held like a degradation; a return is the same alert,
        // and once it stays clear it resolves as of its first clear minute.
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 0)});
        IdAllocator ids(1);
        AlertEvaluator ev(&book, nullptr, &ids, {});
        std::set<std::int64_t> alerts;
        int firings = 0, resolutions = 0;
        TimeNs resolvedAt = 0;
        for (int m = 0; m < 60; ++m) {
            const bool bad = m < 10 || (m >= 21 && m < 25);
            const AlertChanges c = ev.onMinutes({minute(m, 100, bad ? 10 : 0)}, {}, {}, kT0 + (m + 1) * kMin);
            for (const AlertTransition &t : c.transitions)
                firings += t.to == "firing" && t.from != "firing" ? 1 : 0; // not the history notes
            resolutions += countTransitions(c, "resolved");
            for (const Alert &a : c.alerts) {
                alerts.insert(a.id);
                resolvedAt = std::max(resolvedAt, a.resolvedAt);
            }
        }
        QCOMPARE(int(alerts.size()), 1);
        QCOMPARE(firings, 1);
        QCOMPARE(resolutions, 1);
        QCOMPARE(resolvedAt, kT0 + 25 * kMin);
    }

    void pendingThatClearsIsDropped()
    {
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 5)});
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, {});
        AlertChanges c = ev.onMinutes({minute(0, 100, 10)}, {}, {}, kT0 + kMin);
        QCOMPARE(c.alerts.size(), std::size_t(1));
        c = ev.onMinutes({minute(1, 100, 0)}, {}, {}, kT0 + 2 * kMin);
        QCOMPARE(c.dropped.size(), std::size_t(1));
        QVERIFY(ev.open().empty());
    }

    void windowAveragesMinutes()
    {
        // One bad minute among five does not push a 5-minute error rate over 5 %.
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 5, 0)});
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, {});
        for (int m = 0; m < 4; ++m)
            QVERIFY(ev.onMinutes({minute(m, 100, 0)}, {}, {}, kT0 + m * kMin).empty());
        QVERIFY(ev.onMinutes({minute(4, 100, 20)}, {}, {}, kT0 + 4 * kMin).empty()); // 20/500 = 4 %
        QCOMPARE(countTransitions(ev.onMinutes({minute(5, 100, 20)}, {}, {}, kT0 + 5 * kMin), "firing"), 1); // 40/500
    }

    void deduplicatedWithinTheWindowThenNotifiedAgain()
    {
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 0)});
        AlertEvaluator::Options o;
        o.clearMinutes = 1;
        o.keepFiringMinutes = 0; // no hold: every return is a new alert, for the dedup window to act on
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, o);
        int notified = 0, fired = 0;
        // Flapping every other minute for 40 minutes of live data.
        for (int m = 0; m < 40; ++m) {
            const AlertChanges c = ev.onMinutes({minute(m, 100, m % 2 ? 0 : 10)}, {}, {}, kT0 + m * kMin + 30 * kNsPerSec);
            fired += countTransitions(c, "firing");
            notified += int(std::count_if(c.notifications.begin(), c.notifications.end(), [](const NotificationIntent &n) {
                return n.kind == NotificationIntent::Kind::Firing;
            }));
        }
        QCOMPARE(fired, 20);
        // The window slides from each notification: minutes 0, 16 and 32.
        QCOMPARE(notified, 3);
    }

    void historyIsRecordedButNotNotified()
    {
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 0)});
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, {});
        const TimeNs muchLater = kT0 + 30 * 24 * 60 * kMin; // a backfill of last month
        const AlertChanges c = ev.onMinutes({minute(0, 100, 10)}, {}, {}, muchLater);
        QCOMPARE(countTransitions(c, "firing"), 1);
        QVERIFY(c.notifications.empty());
        QVERIFY(QString::fromStdString(c.transitions.back().reason).contains(QStringLiteral("not notified")));
    }

    void silencesMatchByServiceRuleAndTag()
    {
        RuleBook book;
        AlertRule rule = thresholdRule(10, "error_rate > 5%", 1, 0);
        rule.tags = {"payments"};
        book.set({rule});
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, {});
        Silence s;
        s.tag = "payments";
        s.startsAt = kT0;
        s.endsAt = kT0 + 10 * kMin;
        ev.setSilences({s});
        AlertChanges c = ev.onMinutes({minute(0, 100, 10)}, {}, {}, kT0 + kMin);
        QCOMPARE(countTransitions(c, "firing"), 1);
        QVERIFY(c.notifications.empty());
        QVERIFY(c.alerts.back().silenced);
        // Another service, after the silence ended: notified.
        c = ev.onMinutes({minute(20, 100, 10, 100, "auth")}, {}, {}, kT0 + 21 * kMin);
        QCOMPARE(c.notifications.size(), std::size_t(1));
        QVERIFY(!c.alerts.back().silenced);
    }

    void repeatsAfterTheIntervalUnlessAcknowledged()
    {
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 0)});
        AlertEvaluator::Options o;
        o.repeatMinutes = 60;
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, o);
        AlertChanges c = ev.onMinutes({minute(0, 100, 10)}, {}, {}, kT0 + kMin);
        const std::int64_t id = c.alerts.back().id;
        QVERIFY(ev.tick({}, kT0 + 30 * kMin).notifications.empty());
        c = ev.tick({}, kT0 + 62 * kMin);
        QCOMPARE(c.notifications.size(), std::size_t(1));
        QCOMPARE(c.notifications.front().kind, NotificationIntent::Kind::Repeat);
        AlertChanges ack;
        QVERIFY(ev.acknowledge(id, "ana", "on it", kT0 + 70 * kMin, [&](AlertChanges &&c) { ack = std::move(c); }, true));
        QCOMPARE(ack.alerts.back().acknowledgedBy, std::string("ana"));
        QVERIFY(ev.tick({}, kT0 + 200 * kMin).notifications.empty());
    }

    void unacknowledgedCriticalAlertsEscalateOnce()
    {
        RuleBook book;
        AlertRule rule = thresholdRule(10, "error_rate > 5%", 1, 0);
        rule.level = AlertLevel::Critical;
        rule.escalationMinutes = 15;
        rule.escalationChannels = {"pager"};
        AlertRule calm = thresholdRule(11, "error_rate > 5%", 1, 0);
        calm.escalationMinutes = 15; // not critical: never escalates
        calm.escalationChannels = {"pager"};
        calm.service = "auth";
        rule.service = "checkout";
        book.set({rule, calm});
        ChannelBook channels;
        channels.set({channel(50, "pager"), channel(51, "team")});
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, &channels, &ids_ev, {});
        ev.onMinutes({minute(0, 100, 10), minute(0, 100, 10, 100, "auth")}, {}, {}, kT0 + kMin);
        QVERIFY(ev.tick({}, kT0 + 15 * kMin).notifications.empty()); // 14 min after the notification
        AlertChanges c = ev.tick({}, kT0 + 16 * kMin);
        QCOMPARE(c.notifications.size(), std::size_t(1));
        QCOMPARE(c.notifications.front().kind, NotificationIntent::Kind::Escalation);
        QCOMPARE(c.notifications.front().channelIds, std::vector<std::int64_t>{50});
        QVERIFY(QString::fromStdString(c.transitions.back().reason).startsWith(QStringLiteral("escalated")));
        QVERIFY(ev.tick({}, kT0 + 30 * kMin).notifications.empty()); // once
        // Acknowledged in time: no escalation.
        RuleBook book2;
        book2.set({rule});
        IdAllocator ids_acked(1);
        AlertEvaluator acked(&book2, nullptr, &ids_acked, {});
        const std::int64_t id = acked.onMinutes({minute(0, 100, 10)}, {}, {}, kT0 + kMin).alerts.back().id;
        QVERIFY(acked.acknowledge(id, "ana", {}, kT0 + 5 * kMin, [](AlertChanges &&) {}, true));
        QVERIFY(acked.tick({}, kT0 + 20 * kMin).notifications.empty());
    }

    void notificationsGoToTheRuleChannelsAndWaitToGroup()
    {
        RuleBook book;
        AlertRule all = thresholdRule(10, "error_rate > 5%", 1, 0);
        AlertRule named = thresholdRule(11, "p95_latency_ms > 500", 1, 0);
        named.channels = {"team", "nobody"};
        all.service = "checkout"; // two services: two incidents, each paging once
        named.service = "auth";
        book.set({all, named});
        ChannelBook channels;
        channels.set({channel(50, "pager"), channel(51, "team"), channel(52, "off", false)});
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, &channels, &ids_ev, {});
        const TimeNs wall = kT0 + kMin;
        const AlertChanges c = ev.onMinutes({minute(0, 100, 10, 900), minute(0, 100, 10, 900, "auth")}, {}, {}, wall);
        QCOMPARE(c.notifications.size(), std::size_t(2));
        QCOMPARE(c.notifications[0].channelIds, (std::vector<std::int64_t>{50, 51})); // every enabled channel
        QCOMPARE(c.notifications[1].channelIds, std::vector<std::int64_t>{51});
        QCOMPARE(c.notifications[0].dueAt, wall + 30 * kNsPerSec);
        const auto unknown = std::find_if(c.transitions.begin(), c.transitions.end(), [](const AlertTransition &t) {
            return t.reason == "no such channel: nobody";
        });
        QVERIFY(unknown != c.transitions.end());
    }

    void anIncidentPagesOnceUnlessItsLevelRises()
    {
        // Errors, latency and a detector all firing for one service are one incident: the first alert
        // pages, the others are recorded in it; a higher level pages again (escalation).
        RuleBook book;
        AlertRule errors = thresholdRule(10, "error_rate > 5%", 1, 0);
        AlertRule latency = thresholdRule(11, "p95_latency_ms > 500", 1, 0);
        AlertRule critical = thresholdRule(12, "p99_latency_ms > 800", 1, 0);
        critical.level = AlertLevel::Critical;
        book.set({errors, latency});
        IdAllocator ids(1);
        AlertEvaluator ev(&book, nullptr, &ids, {});
        AlertChanges c = ev.onMinutes({minute(0, 100, 10, 900)}, {}, {}, kT0 + kMin);
        QCOMPARE(c.alerts.size(), std::size_t(2));
        QCOMPARE(int(std::count_if(c.alerts.begin(), c.alerts.end(), [](const Alert &a) { return a.pages; })), 1);
        QCOMPARE(c.notifications.size(), std::size_t(1));
        QVERIFY(std::any_of(c.transitions.begin(), c.transitions.end(),
                            [](const AlertTransition &t) { return t.reason.find("has paged already") != std::string::npos; }));
        book.set({errors, latency, critical});
        c = ev.onMinutes({minute(1, 100, 10, 900)}, {}, {}, kT0 + 2 * kMin);
        const auto escalation = std::find_if(c.alerts.begin(), c.alerts.end(), [](const Alert &a) { return a.ruleId == 12; });
        QVERIFY(escalation != c.alerts.end());
        QVERIFY(escalation->pages);
        QCOMPARE(escalation->incidentId, c.alerts.front().incidentId);
    }

    void aPageResolvesWhenItsIncidentCloses()
    {
        // The paging alert's condition clears while another alert keeps the incident open: no "resolved"
        // in the middle of the incident; it goes out, for the page, when the last alert clears.
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 0), thresholdRule(11, "p95_latency_ms > 500", 1, 0)});
        AlertEvaluator::Options o;
        o.clearMinutes = 1;
        o.keepFiringMinutes = 0;
        IdAllocator ids(1);
        AlertEvaluator ev(&book, nullptr, &ids, o);
        AlertChanges c = ev.onMinutes({minute(0, 100, 10, 900)}, {}, {}, kT0 + kMin);
        const auto page = std::find_if(c.alerts.begin(), c.alerts.end(), [](const Alert &a) { return a.pages; });
        QVERIFY(page != c.alerts.end());
        const std::int64_t pageId = page->id;
        const std::int64_t pageRule = page->ruleId;
        QCOMPARE(c.notifications.size(), std::size_t(1));
        // The page's condition clears first, the other alert's stays.
        c = ev.onMinutes({pageRule == 10 ? minute(1, 100, 0, 900) : minute(1, 100, 10, 100)}, {}, {}, kT0 + 2 * kMin);
        QVERIFY(std::any_of(c.alerts.begin(), c.alerts.end(),
                            [&](const Alert &a) { return a.id == pageId && a.state == Alert::State::Resolved; }));
        QVERIFY(c.notifications.empty());
        QVERIFY(std::any_of(c.transitions.begin(), c.transitions.end(), [](const AlertTransition &t) {
            return t.reason.find("resolution notified when incident") != std::string::npos;
        }));
        c = ev.onMinutes({minute(2, 100, 0, 100)}, {}, {}, kT0 + 3 * kMin);
        QCOMPARE(c.incidents.back().closedAt != 0, true);
        QCOMPARE(c.notifications.size(), std::size_t(1));
        QCOMPARE(c.notifications[0].alertId, pageId);
        QCOMPARE(c.notifications[0].kind, NotificationIntent::Kind::Resolved);
    }

    void relatedAlertsFormOneIncidentThatEscalates()
    {
        RuleBook book;
        AlertRule errors = thresholdRule(10, "error_rate > 5%", 1, 0);
        errors.level = AlertLevel::Warning;
        AlertRule slow = thresholdRule(11, "p95_latency_ms > 500", 1, 0);
        slow.level = AlertLevel::Critical;
        book.set({errors, slow});
        AlertEvaluator::Options o;
        o.clearMinutes = 1;
        o.keepFiringMinutes = 0; // incidents closing and joining again, not the alerts' hold
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, o);
        AlertChanges c = ev.onMinutes({minute(0, 100, 10, 100)}, {}, {}, kT0 + kMin);
        QCOMPARE(c.incidents.size(), std::size_t(1));
        const std::int64_t incident = c.incidents.back().id;
        QCOMPARE(c.incidents.back().severity, AlertLevel::Warning);
        c = ev.onMinutes({minute(1, 100, 10, 900)}, {}, {}, kT0 + 2 * kMin); // latency joins
        QCOMPARE(c.incidents.back().id, incident);
        QCOMPARE(c.incidents.back().severity, AlertLevel::Critical); // escalates with its worst alert
        QCOMPARE(c.incidents.back().alertCount, 2);
        c = ev.onMinutes({minute(2, 100, 0, 100)}, {}, {}, kT0 + 3 * kMin); // both clear
        QCOMPARE(c.incidents.back().closedAt, kT0 + 2 * kMin);
        // Another service is another incident; the same service soon after joins the closed one again.
        c = ev.onMinutes({minute(3, 100, 10, 100, "auth")}, {}, {}, kT0 + 4 * kMin);
        QVERIFY(c.incidents.back().id != incident);
        c = ev.onMinutes({minute(10, 100, 10, 100)}, {}, {}, kT0 + 11 * kMin);
        QCOMPARE(c.incidents.back().id, incident);
        QCOMPARE(c.incidents.back().closedAt, TimeNs(0));
        ev.onMinutes({minute(11, 100, 0, 100)}, {}, {}, kT0 + 12 * kMin);
        c = ev.onMinutes({minute(60, 100, 10, 100)}, {}, {}, kT0 + 61 * kMin); // long after: a new one
        QVERIFY(c.incidents.back().id != incident);
    }

    void aSharedFailingTraceLinksServicesInOneIncident()
    {
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 0)});
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, {});
        KpiRollup checkout = minute(0, 100, 10);
        checkout.noteErrorTrace("trace-7");
        KpiRollup payments = minute(0, 100, 10, 100, "payments");
        payments.noteErrorTrace("trace-7"); // the same failing request, seen by both
        KpiRollup search = minute(0, 100, 10, 100, "search");
        search.noteErrorTrace("trace-9");
        const AlertChanges c = ev.onMinutes({checkout, payments, search}, {}, {}, kT0 + kMin);
        std::map<std::string, std::int64_t> incidentOf;
        for (const Alert &a : c.alerts)
            if (a.state == Alert::State::Firing)
                incidentOf[a.service] = a.incidentId;
        QCOMPARE(incidentOf.size(), std::size_t(3));
        QCOMPARE(incidentOf["payments"], incidentOf["checkout"]);
        QVERIFY(incidentOf["search"] != incidentOf["checkout"]);
        QCOMPARE(c.incidents.back().alertCount, 1); // search's own
    }

    void aDegradationJoinsTheIncidentOfItsFailingTrace()
    {
        RuleBook book;
        std::vector<AlertRule> rules = AlertRule::builtins();
        rules.push_back(thresholdRule(10, "error_rate > 5%", 1, 0));
        book.set(rules);
        IdAllocator ids_ev(100);
        AlertEvaluator ev(&book, nullptr, &ids_ev, {});
        KpiRollup payments = minute(0, 100, 10, 100, "payments");
        payments.noteErrorTrace("trace-42");
        const std::int64_t incident = ev.onMinutes({payments}, {}, {}, kT0 + kMin).incidents.back().id;
        AnomalyRecord d;
        d.service = "checkout";
        d.startedAt = kT0;
        d.explanation = "checkout: p95 latency 850 ms vs baseline 210 ms";
        d.traceIds = {"trace-42"};
        const AlertChanges c = ev.onMinutes({}, {d}, {}, kT0 + 2 * kMin);
        QCOMPARE(c.alerts.back().incidentId, incident);
    }

    void openAlertsCarryOnAfterARestart()
    {
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 0), AlertRule::builtins().front()});
        IdAllocator ids_first(1);
        AlertEvaluator first(&book, nullptr, &ids_first, {});
        const Alert firing = first.onMinutes({minute(0, 100, 10)}, {}, {}, kT0 + kMin).alerts.back();
        Alert degradation = firing;
        degradation.id = 99;
        degradation.ruleId = 1;
        // A new run: the threshold alert carries on (no second alert), the detector's alert resolves.
        AlertEvaluator::Options options;
        options.clearMinutes = 2;
        options.keepFiringMinutes = 0; // resolved on its second clear minute
        IdAllocator ids_second(100);
        AlertEvaluator second(&book, nullptr, &ids_second, options);
        const AlertChanges restored = second.restoreOpen({firing, degradation}, {firing.id, 99}, kT0 + 2 * kMin);
        QCOMPARE(countTransitions(restored, "resolved"), 1);
        QCOMPARE(restored.alerts.back().id, std::int64_t(99));
        QCOMPARE(restored.notifications.size(), std::size_t(1)); // its resolution is notified
        AlertChanges c = second.onMinutes({minute(1, 100, 10)}, {}, {}, kT0 + 2 * kMin);
        QCOMPARE(countTransitions(c, "pending") + countTransitions(c, "firing"), 0);
        QCOMPARE(c.alerts.back().id, firing.id);
        c = second.onMinutes({minute(2, 100, 0)}, {}, {}, kT0 + 3 * kMin);
        c = second.onMinutes({minute(3, 100, 0)}, {}, {}, kT0 + 4 * kMin);
        QCOMPARE(countTransitions(c, "resolved"), 1);
        QCOMPARE(c.notifications.back().kind, NotificationIntent::Kind::Resolved);
    }

    void csvRowsFollowRfc4180()
    {
        Alert a;
        a.id = 12;
        a.service = "checkout";
        a.endpoint = "/pay/{id}";
        a.reason = "Errors, \"bad\" ones";
        a.level = AlertLevel::Critical;
        a.state = Alert::State::Resolved;
        a.firedAt = kT0;
        a.resolvedAt = kT0 + 90 * kNsPerSec;
        a.acknowledgedBy = "Zoë";
        a.acknowledgedAt = kT0 + 30 * kNsPerSec;
        a.explanation = "line one\nline two → 4.0×";
        a.channels = {"slack", "mail"};
        QCOMPARE(QString::fromStdString(alertCsvHeader()),
                 QStringLiteral("id,service,endpoint,reason,level,state,fired_at,resolved_at,acknowledged_by,acknowledged_at,"
                                "duration_s,explanation,channels\r\n"));
        QCOMPARE(QString::fromStdString(alertCsvRow(a, kT0)),
                 QStringLiteral("12,checkout,/pay/{id},\"Errors, \"\"bad\"\" ones\",critical,resolved,2024-01-01T12:00:00.000Z,"
                                "2024-01-01T12:01:30.000Z,Zoë,2024-01-01T12:00:30.000Z,90,\"line one\nline two → 4.0×\",slack;mail\r\n"));
        // Cells a spreadsheet would evaluate are neutralised.
        Alert hostile = a;
        hostile.service = "=HYPERLINK(\"http://x\")";
        hostile.endpoint = "+1";
        hostile.acknowledgedBy = "@SUM(A1)";
        hostile.explanation = "-2+3";
        const QString row = QString::fromStdString(alertCsvRow(hostile, kT0));
        QVERIFY2(row.contains(QStringLiteral("\"'=HYPERLINK(\"\"http://x\"\")\"")), qPrintable(row));
        QVERIFY(row.contains(QStringLiteral(",'+1,")));
        QVERIFY(row.contains(QStringLiteral(",'@SUM(A1),")));
        QVERIFY(row.contains(QStringLiteral(",'-2+3,")));
        // The JSON carries the same fields.
        const QJsonObject json = alertJson(a, kT0);
        for (const char *field : {"id", "service", "endpoint", "reason", "level", "state", "fired_at", "resolved_at",
                                  "acknowledged_by", "acknowledged_at", "duration_s", "explanation", "channels"})
            QVERIFY2(json.contains(QLatin1String(field)), field);
        QCOMPARE(json.value(QStringLiteral("duration_s")).toInteger(), 90);
    }

    void acknowledgementsKeepTheirOrderWithTheLifecycle()
    {
        // The analysis thread updates a firing alert every minute while the API acknowledges it. Storage
        // applies change sets in the order they are submitted; since the evaluator submits under its lock,
        // no lifecycle copy older than the acknowledgement can land after it and wipe acknowledged_by.
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 0)});
        IdAllocator ids(1);
        AlertEvaluator ev(&book, nullptr, &ids, {});
        std::mutex storeMutex;
        std::map<std::int64_t, Alert> store; // upsert by id, as the writer does
        std::vector<std::string> acks;       // acknowledgement-only updates
        auto submit = [&](AlertChanges &&c) {
            std::lock_guard lock(storeMutex);
            for (const Alert &a : c.alerts)
                store[a.id] = a;
            for (const Acknowledgement &k : c.acknowledgements) {
                store[k.alertId].acknowledgedBy = k.by;
                acks.push_back(k.by);
            }
        };
        ev.onMinutes({minute(0, 100, 10)}, {}, {}, kT0 + kMin, submit);
        const std::int64_t id = store.begin()->first;
        std::thread lifecycle([&] {
            for (int m = 1; m < 400; ++m)
                ev.onMinutes({minute(m, 100, 10)}, {}, {}, kT0 + (m + 1) * kMin, submit);
        });
        for (int i = 0; i < 50; ++i) {
            ev.acknowledge(id, "ana" + std::to_string(i), {}, kT0 + 2 * kMin, submit, true);
            std::this_thread::yield();
        }
        lifecycle.join();
        QCOMPARE(store.at(id).acknowledgedBy, std::string("ana49"));
        // A resolved alert from the history: only its acknowledgement is written, never an older full row.
        ev.acknowledge(9999, "bo", "late look", kT0, submit, true);
        QCOMPARE(acks.back(), std::string("bo"));
        QCOMPARE(store.at(9999).state, Alert::State::Pending); // untouched apart from the acknowledgement
        // Unknown alerts are not written at all.
        const std::size_t before = acks.size();
        QVERIFY(!ev.acknowledge(12345, "x", {}, kT0, submit, false));
        QCOMPARE(acks.size(), before);
    }

    void oneIdAllocatorForAlertsAndIncidents()
    {
        RuleBook book;
        book.set({thresholdRule(10, "error_rate > 5%", 1, 0)});
        IdAllocator ids(40);
        AlertEvaluator ev(&book, nullptr, &ids, {});
        Incident stored;
        stored.id = 77;
        stored.service = "other";
        ev.restoreIncident(stored, 0);
        const AlertChanges c = ev.onMinutes({minute(0, 100, 10)}, {}, {}, kT0 + kMin);
        // Past every restored id, and rule ids taken from the same allocator never collide with them.
        QVERIFY(c.alerts.back().id > 77);
        QVERIFY(c.incidents.back().id > 77 && c.incidents.back().id != c.alerts.back().id);
        QVERIFY(ids.next() > std::max(c.alerts.back().id, c.incidents.back().id));
    }

    void testAlertIsRecordedAsATest()
    {
        RuleBook book;
        IdAllocator ids_ev(7);
        AlertEvaluator ev(&book, nullptr, &ids_ev, {});
        AlertChanges c;
        const Alert a = ev.testAlert("auth", kT0, [&](AlertChanges &&changes) { c = std::move(changes); });
        QVERIFY(a.test);
        QCOMPARE(a.id, std::int64_t(7));
        QCOMPARE(c.notifications.size(), std::size_t(1));
        QCOMPARE(c.notifications.front().kind, NotificationIntent::Kind::Test);
        QVERIFY(ev.open().empty());
    }

    void silentServiceOnTheWallClock()
    {
        RuleBook book;
        book.set(AlertRule::builtins());
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, {});
        std::map<std::string, TimeNs> last{{"billing", kT0}};
        QVERIFY(ev.tick(last, kT0 + 9 * kMin).alerts.empty());
        AlertChanges c = ev.tick(last, kT0 + 10 * kMin);
        QCOMPARE(countTransitions(c, "firing"), 1);
        QCOMPARE(c.alerts.back().reason, std::string("Service silent"));
        QCOMPARE(c.notifications.size(), std::size_t(1));
        last["billing"] = kT0 + 12 * kMin;
        c = ev.tick(last, kT0 + 12 * kMin + kNsPerSec);
        QCOMPARE(countTransitions(c, "resolved"), 1);
        QCOMPARE(c.notifications.back().kind, NotificationIntent::Kind::Resolved);
    }

    void aServiceSilentInEventTimeWhileOthersGoOn()
    {
        // A replay or backfill: the wall clock says everything is arriving, but billing's minutes stopped
        // at minute 4 while checkout's went on. Ten minutes of event time later billing is silent, once.
        RuleBook book;
        book.set(AlertRule::builtins());
        IdAllocator ids(1);
        AlertEvaluator ev(&book, nullptr, &ids, {});
        int fired = 0, resolved = 0;
        TimeNs firedAt = 0;
        auto take = [&](const AlertChanges &c) {
            for (const AlertTransition &t : c.transitions) {
                fired += t.to == "firing" && t.from != "firing" ? 1 : 0;
                resolved += t.to == "resolved" ? 1 : 0;
            }
            for (const Alert &a : c.alerts)
                if (a.reason == "Service silent" && a.firedAt)
                    firedAt = a.firedAt;
        };
        for (int m = 0; m < 20; ++m) {
            std::vector<KpiRollup> closed{minute(m, 100, 0)};
            if (m <= 4 || m >= 18)
                closed.push_back(minute(m, 100, 0, 100, "billing"));
            take(ev.onMinutes(closed, {}, {}, kT0 + 30 * kMin));
        }
        QCOMPARE(fired, 1);
        QCOMPARE(firedAt, kT0 + 14 * kMin);
        QCOMPARE(resolved, 1);
    }

    void stragglingMinutesDoNotEndAnEventTimeSilence()
    {
        // Regression: a quiet service's last minutes close only after its silence was declared (its data
        // stopped moving its watermark). They resolved the alert and a second one fired: two pages for one
        // silence. Billing sent minutes 0-9, stopped; its 5 to 9 close late, at minute 16 (a night service's
        // minutes lag by several).
        RuleBook book;
        book.set(AlertRule::builtins());
        IdAllocator ids(1);
        AlertEvaluator ev(&book, nullptr, &ids, {});
        int fired = 0, resolved = 0;
        TimeNs resolvedAt = 0;
        auto take = [&](const AlertChanges &c) {
            for (const AlertTransition &t : c.transitions) {
                fired += t.to == "firing" && t.from != "firing" ? 1 : 0;
                resolved += t.to == "resolved" ? 1 : 0;
            }
            for (const Alert &a : c.alerts)
                if (a.reason == "Service silent" && a.resolvedAt)
                    resolvedAt = a.resolvedAt;
        };
        for (int m = 0; m < 30; ++m) {
            std::vector<KpiRollup> closed{minute(m, 100, 0)};
            if (m <= 4 || m >= 25)
                closed.push_back(minute(m, 100, 0, 100, "billing"));
            if (m == 16)
                for (int late = 5; late <= 9; ++late)
                    closed.push_back(minute(late, 100, 0, 100, "billing"));
            take(ev.onMinutes(closed, {}, {}, kT0 + 40 * kMin));
        }
        QCOMPARE(fired, 1);
        QCOMPARE(resolved, 1);
        QCOMPARE(resolvedAt, kT0 + 25 * kMin);
    }

    void aNewErrorPatternThatADegradationConfirmsPagesOnce()
    {
        // Regression: an error creep paged twice, as a new error pattern (warning) and minutes later as the
        // degradation (error) it turned into. The pattern now waits its rule's `for` in event time: the
        // degradation found meanwhile pages, the pattern joins its incident. Alone, the pattern still pages.
        RuleBook book;
        book.set(AlertRule::builtins());
        IdAllocator ids(1);
        AlertEvaluator ev(&book, nullptr, &ids, {});
        std::map<std::int64_t, Alert> alerts;
        auto take = [&](const AlertChanges &c) {
            for (const Alert &a : c.alerts)
                alerts[a.id] = a;
        };
        take(ev.onMinutes({minute(0, 100, 3), minute(0, 100, 0, 100, "auth")}, {},
                          {{"checkout", kT0}, {"auth", kT0}}, kT0 + kMin));
        for (int m = 1; m < 15; ++m) {
            std::vector<AnomalyRecord> found;
            if (m == 6) {
                AnomalyRecord d;
                d.service = "checkout";
                d.startedAt = kT0 + 3 * kMin;
                d.updatedAt = kT0 + 6 * kMin;
                d.explanation = "checkout: error rate 6 % vs baseline 0.4 %.";
                found.push_back(d);
            }
            take(ev.onMinutes({minute(m, 100, 6), minute(m, 100, 0, 100, "auth")}, found, {}, kT0 + (m + 1) * kMin));
        }
        std::map<std::string, int> pages;
        std::set<std::int64_t> incidents;
        for (const auto &[id, a] : alerts) {
            QVERIFY2(a.firedAt, a.reason.c_str());
            pages[a.service] += a.pages ? 1 : 0;
            if (a.service == "checkout")
                incidents.insert(a.incidentId);
        }
        QCOMPARE(int(alerts.size()), 3);
        QCOMPARE(pages["checkout"], 1);
        QCOMPARE(int(incidents.size()), 1);
        QCOMPARE(pages["auth"], 1);
    }

    void degradationsBecomeAlertsAnomaliesStayQuiet()
    {
        RuleBook book;
        book.set(AlertRule::builtins());
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, {});
        AnomalyRecord d;
        d.service = "checkout";
        d.startedAt = kT0;
        d.updatedAt = kT0 + 3 * kMin;
        d.explanation = "checkout: p95 latency 850 ms vs baseline 210 ms (4.0×, +6.1σ) for 3 min.";
        AnomalyRecord m = d;
        m.kind = "anomaly";
        m.metric = "queue_depth";
        AlertChanges c = ev.onMinutes({}, {d, m}, {}, kT0 + 4 * kMin);
        QCOMPARE(countTransitions(c, "firing"), 2);
        QCOMPARE(c.notifications.size(), std::size_t(1)); // the degradation; the anomaly is recorded only
        QCOMPARE(c.alerts.front().explanation.substr(0, 30), d.explanation.substr(0, 30));
        d.endedAt = kT0 + 20 * kMin;
        d.updatedAt = kT0 + 25 * kMin;
        c = ev.onMinutes({}, {d}, {}, kT0 + 25 * kMin);
        // Cleared, but held for keepFiringMinutes: a return would be the same alert.
        QCOMPARE(countTransitions(c, "resolved"), 0);
        c = ev.onMinutes({minute(30, 100, 0)}, {}, {}, kT0 + 31 * kMin);
        QCOMPARE(countTransitions(c, "resolved"), 0);
        c = ev.onMinutes({minute(35, 100, 0)}, {}, {}, kT0 + 36 * kMin);
        QCOMPARE(countTransitions(c, "resolved"), 1);
        QCOMPARE(c.alerts.back().resolvedAt, kT0 + 20 * kMin); // when the detector saw it end
        QCOMPARE(c.notifications.back().kind, NotificationIntent::Kind::Resolved);
    }

    void aReturningDegradationIsTheSameAlert()
    {
        // resolve → fire → resolve → fire was four pages for one incident: now one alert, held open across
        // the gaps, flagged as flapping when it keeps returning, resolved once it stays away.
        RuleBook book;
        book.set(AlertRule::builtins());
        IdAllocator ids_ev(1);
        AlertEvaluator ev(&book, nullptr, &ids_ev, {});
        std::set<std::int64_t> ids;
        int firings = 0, resolutions = 0;
        bool flapping = false;
        auto take = [&](const AlertChanges &c) {
            for (const Alert &a : c.alerts)
                ids.insert(a.id);
            for (const AlertTransition &t : c.transitions) {
                firings += t.to == "firing" && t.from != "firing" ? 1 : 0; // not the history notes
                resolutions += t.to == "resolved" ? 1 : 0;
                flapping |= t.reason.find("flapping") != std::string::npos;
            }
        };
        for (int episode = 0; episode < 4; ++episode) {
            AnomalyRecord d;
            d.service = "checkout";
            d.startedAt = kT0 + episode * 12 * kMin;
            d.updatedAt = d.startedAt + 3 * kMin;
            d.explanation = "checkout: error rate 9 % vs baseline 0.4 %.";
            take(ev.onMinutes({minute(episode * 12 + 3, 100, 0)}, {d}, {}, d.updatedAt));
            d.endedAt = d.startedAt + 6 * kMin;
            d.updatedAt = d.startedAt + 8 * kMin;
            take(ev.onMinutes({minute(episode * 12 + 8, 100, 0)}, {d}, {}, d.updatedAt));
        }
        QCOMPARE(int(ids.size()), 1);
        QCOMPARE(firings, 1);
        QCOMPARE(resolutions, 0);
        QVERIFY(flapping);
        // Gone for good: resolved once its (doubled, flapping) hold has passed.
        for (int m = 45; m < 80 && resolutions == 0; ++m)
            take(ev.onMinutes({minute(m, 100, 0)}, {}, {}, kT0 + (m + 1) * kMin));
        QCOMPARE(resolutions, 1);
    }
};

QTEST_GUILESS_MAIN(TstAlerting)
#include "tst_alerting.moc"
