#include <QDateTime>
#include <QJsonArray>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <algorithm>

#include "dailycycle.h"
#include "engine/engine.h"
#include "injector.h"
#include "scenario.h"
#include "testhttpclient.h"
#include "trafficmodel.h"

using fg::Engine;
using fg::EngineConfig;
using namespace fg::inject;

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;
const qint64 kDay0 = QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();

std::vector<LogEvent> generate(TrafficModel &model, const Scenario &scenario, qint64 from, qint64 to)
{
    std::vector<LogEvent> out;
    for (qint64 t = from; t < to; t += kMinute)
        model.generateMinute(t, scenario, out);
    return out;
}

struct Share {
    qint64 requests = 0;
    qint64 errors = 0;
    std::vector<double> latencies;
    double errorRate() const { return requests ? double(errors) / double(requests) : 0; }
    double median()
    {
        std::sort(latencies.begin(), latencies.end());
        return latencies.empty() ? 0 : latencies[latencies.size() / 2];
    }
};

Share measure(const std::vector<LogEvent> &events, int service, qint64 from, qint64 to)
{
    Share s;
    for (const LogEvent &e : events)
        if (e.service == service && e.ts >= from && e.ts < to) {
            ++s.requests;
            s.errors += e.statusCode >= 500 ? 1 : 0;
            s.latencies.push_back(e.latencyMs);
        }
    return s;
}

} // namespace

// The instrument of the detection benchmark (flowguard-inject): what it generates must be what the
// benchmark claims — a daily cycle, background errors, incidents visible in the data where the ground truth
// says — and it must arrive over HTTP. Detection quality itself is measured by bench/detection_eval, not here.
class TstInject : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void dailyCycleAndBackgroundErrors()
    {
        QString note;
        const auto quiet = Scenario::build({}, {2, 3, kDay0, kDay0 + 24 * kHour, 5}, &note);
        QVERIFY(quiet && quiet->incidents().empty());
        TrafficModel model({2, 3, 1.0, 5, {}, false});
        const std::vector<LogEvent> day = generate(model, *quiet, kDay0, kDay0 + 24 * kHour);

        double expected = 0;
        for (qint64 t = kDay0; t < kDay0 + 24 * kHour; t += kMinute)
            for (int s = 0; s < 2; ++s)
                for (int e = 0; e < 3; ++e)
                    expected += model.expectedPerMinute(s, e, t + kMinute / 2);
        QVERIFY2(std::abs(double(day.size()) / expected - 1) < 0.1, qPrintable(QStringLiteral("%1 events, %2 expected").arg(day.size()).arg(expected)));

        // Night (03:00-05:00) is a trickle of 1-2 requests a minute per route; the afternoon peak is busy.
        auto perRouteMinute = [&](qint64 from, qint64 to) {
            return double(measure(day, 0, from, to).requests + measure(day, 1, from, to).requests) / 6 / double((to - from) / kMinute);
        };
        const double night = perRouteMinute(kDay0 + 3 * kHour, kDay0 + 5 * kHour);
        const double peak = perRouteMinute(kDay0 + 15 * kHour, kDay0 + 17 * kHour);
        QVERIFY2(night > 0.5 && night < 3.5, qPrintable(QString::number(night)));
        QVERIFY2(peak > 12 && peak < 32, qPrintable(QString::number(peak)));
        QVERIFY(peak > 5 * night);

        const Share all = measure(day, 0, kDay0, kDay0 + 24 * kHour);
        QVERIFY2(all.errorRate() > 0.002 && all.errorRate() < 0.008, qPrintable(QString::number(all.errorRate())));

        // Deterministic for a seed.
        TrafficModel again({2, 3, 1.0, 5, {}, false});
        const std::vector<LogEvent> replay = generate(again, *quiet, kDay0, kDay0 + kHour);
        QCOMPARE(replay.front().ts, day.front().ts);
        QCOMPARE(replay.back().traceId, std::find_if(day.begin(), day.end(), [&](const LogEvent &e) { return e.ts == replay.back().ts; })->traceId);
    }

    void scenariosAreNamedSeededAndBounded()
    {
        QString note;
        QVERIFY(!Scenario::build({QStringLiteral("meltdown")}, {}, &note));
        QVERIFY(note.contains(QStringLiteral("meltdown")));
        const Scenario::Layout layout{4, 3, kDay0, kDay0 + 12 * kHour, 11};
        const auto mixed = Scenario::build({QStringLiteral("mixed")}, layout, &note);
        QVERIFY(mixed);
        QCOMPARE(mixed->incidents().size(), 4u + 2u); // one paging incident per service per 12 h, half as many spikes
        for (const Incident &i : mixed->incidents()) {
            QVERIFY(i.start >= layout.startMs && i.end <= layout.endMs && i.start <= i.rampEnd && i.rampEnd < i.end);
            for (const Incident &o : mixed->incidents())
                QVERIFY(&i == &o || i.service != o.service || i.end <= o.start || o.end <= i.start);
        }
        QCOMPARE(Scenario::build({QStringLiteral("mixed")}, layout, &note)->incidents().front().start, mixed->incidents().front().start);
    }

    // Every kind changes the sent data the way its ground truth says, during its hold and not after its fix.
    void eachKindShapesItsWindow()
    {
        QString note;
        const QStringList kinds{QStringLiteral("latency-creep"), QStringLiteral("error-creep"), QStringLiteral("step"),
                                QStringLiteral("endpoint-latency"), QStringLiteral("silent"), QStringLiteral("traffic-drop")};
        const qint64 start = kDay0 + 8 * kHour;
        const auto scenario = Scenario::build(kinds, {6, 3, start, start + 24 * kHour, 21}, &note);
        QVERIFY2(scenario && scenario->incidents().size() == 6, qPrintable(note));
        TrafficModel model({6, 3, 1.0, 21, {}, false});
        const std::vector<LogEvent> events = generate(model, *scenario, start, start + 24 * kHour);
        for (const Incident &i : scenario->incidents()) {
            const QString what = incidentKindName(i.kind);
            // An hour before the start (never inside another incident of the service: they keep a gap).
            Share before = measure(events, i.service, i.start - kHour, i.start);
            Share hold = measure(events, i.service, i.rampEnd, i.end);
            Share fixed = measure(events, i.service, i.end + 5 * kMinute, i.end + 35 * kMinute);
            QVERIFY2(before.requests > 0 && fixed.requests > 0, qPrintable(what));
            const double perMinuteBefore = double(before.requests) / 60;
            const double perMinuteHold = double(hold.requests) / (double(i.end - i.rampEnd) / kMinute);
            switch (i.kind) {
            case IncidentKind::LatencyCreep: QVERIFY2(hold.median() > 2 * before.median(), qPrintable(what)); break;
            case IncidentKind::ErrorCreep:
            case IncidentKind::Step: QVERIFY2(hold.errorRate() > 0.05 && before.errorRate() < 0.02, qPrintable(what)); break;
            case IncidentKind::EndpointLatency: {
                auto route = [&](qint64 from, qint64 to, bool same) {
                    Share r;
                    for (const LogEvent &e : events)
                        if (e.service == i.service && (e.endpoint == i.endpoint) == same && e.ts >= from && e.ts < to)
                            r.latencies.push_back(e.latencyMs);
                    return r;
                };
                QVERIFY2(route(i.rampEnd, i.end, true).median() > 3 * route(i.start - kHour, i.start, true).median(), qPrintable(what));
                QVERIFY2(route(i.rampEnd, i.end, false).median() < 1.5 * route(i.start - kHour, i.start, false).median(), qPrintable(what));
                break;
            }
            case IncidentKind::Silent: QCOMPARE(measure(events, i.service, i.start, i.end).requests, 0); break;
            case IncidentKind::TrafficDrop:
                QVERIFY2(perMinuteHold < 0.5 * perMinuteBefore, qPrintable(QStringLiteral("%1 vs %2").arg(perMinuteHold).arg(perMinuteBefore)));
                QVERIFY2(dailyShape(i.start) >= 0.4, "a real drop happens by day, not at the nightly trough");
                break;
            case IncidentKind::Spike: break;
            }
            QVERIFY2(fixed.errorRate() < 0.02 && fixed.median() < 1.5 * before.median(), qPrintable(what + QStringLiteral(" after the fix")));
        }
    }

    // The acceptance scenario in short: two services, a step outage and a spike, over real HTTP.
    void stepPagesOnceAndSpikeNotOverHttp()
    {
        QTemporaryDir dir;
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = dir.filePath(QStringLiteral("inject.db"));
        c.retentionSeconds = 0;
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));

        Injector::Options o;
        o.url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(engine.port()));
        o.traffic = {2, 3, 1.0, 3, {}, false};
        o.startMs = kDay0 + 10 * kHour;
        o.endMs = o.startMs + 3 * kHour;
        o.speedup = true;
        o.timeoutMs = 120000;
        QString note;
        auto scenario = Scenario::build({QStringLiteral("step"), QStringLiteral("spike")}, {2, 3, o.startMs, o.endMs, 3}, &note);
        QVERIFY2(scenario && note.isEmpty(), qPrintable(note));
        Injector injector(o, *scenario);
        QSignalSpy done(&injector, &Injector::finished);
        injector.start();
        QVERIFY(done.wait(int(o.timeoutMs) + 5000));
        const Injector::Summary sent = injector.summary();
        QVERIFY(!sent.timedOut);
        QCOMPARE(sent.rejected, 0);
        QCOMPARE(sent.accepted, sent.events);
        QCOMPARE(sent.requests - sent.retries, 180); // one request per simulated minute
        QVERIFY(sent.events > 180 * 6 * 5);

        // Ground truth: one paging step, one harmless spike, both inside the run, on named services.
        const QJsonArray truth = injector.scenario().groundTruth(injector.model().serviceNames(), injector.model().endpointNames());
        QCOMPARE(truth.size(), 2);
        const Incident *step = nullptr, *spike = nullptr;
        for (const Incident &i : injector.scenario().incidents())
            (i.kind == IncidentKind::Step ? step : spike) = &i;
        QVERIFY(step && spike && spike->kind == IncidentKind::Spike);
        QVERIFY(spike->end - spike->start >= kMinute && spike->end - spike->start <= 2 * kMinute);
        for (const QJsonValue &v : truth) {
            const QJsonObject t = v.toObject();
            const QDateTime start = QDateTime::fromString(t.value(QStringLiteral("start")).toString(), Qt::ISODateWithMs);
            const QDateTime end = QDateTime::fromString(t.value(QStringLiteral("end")).toString(), Qt::ISODateWithMs);
            QVERIFY(start.isValid() && end.isValid() && start < end);
            QVERIFY(start.toMSecsSinceEpoch() >= o.startMs && end.toMSecsSinceEpoch() <= o.endMs);
            QVERIFY(injector.model().serviceNames().contains(t.value(QStringLiteral("service")).toString()));
            QCOMPARE(t.value(QStringLiteral("endpoint")).toString(), QString());
            const bool isStep = t.value(QStringLiteral("kind")).toString() == QLatin1String("step");
            QCOMPARE(t.value(QStringLiteral("should_page")).toBool(), isStep);
        }

        // Everything sent is stored and analysed.
        TestHttpClient client(engine.port());
        QJsonObject health;
        for (int i = 0; i < 300; ++i) {
            health = client.get("/api/health").json();
            if (health.value(QStringLiteral("analysis")).toObject().value(QStringLiteral("events")).toInteger() >= sent.events)
                break;
            QThread::msleep(100);
        }
        QCOMPARE(health.value(QStringLiteral("db")).toObject().value(QStringLiteral("logs")).toInteger(), sent.events);
        QCOMPARE(health.value(QStringLiteral("analysis")).toObject().value(QStringLiteral("events")).toInteger(), sent.events);

        // The outage is in the data where the ground truth puts it: the engine's own KPIs show errors at
        // outage level during the hold, and the background level before it.
        const QByteArray service = injector.model().serviceNames().at(step->service).toUtf8();
        auto errorRate = [&](qint64 from, qint64 to) {
            const QByteArray q = "/api/kpis?service=" + service + "&step=1m&from="
                                 + QDateTime::fromMSecsSinceEpoch(from, Qt::UTC).toString(Qt::ISODate).toLatin1()
                                 + "&to=" + QDateTime::fromMSecsSinceEpoch(to - 1, Qt::UTC).toString(Qt::ISODate).toLatin1();
            qint64 requests = 0, errors = 0;
            for (const QJsonValue &v : client.get(q).json().value(QStringLiteral("items")).toArray()) {
                requests += v.toObject().value(QStringLiteral("requests")).toInteger();
                errors += v.toObject().value(QStringLiteral("errors")).toInteger();
            }
            return requests > 100 ? double(errors) / double(requests) : -1.0;
        };
        const double during = errorRate(step->rampEnd + kMinute, step->end - kMinute);
        const double before = errorRate(o.startMs, std::min(step->start, spike->start));
        QVERIFY2(during > 0.2, qPrintable(QString::number(during)));
        QVERIFY2(before >= 0 && before < 0.03, qPrintable(QString::number(before)));
        const QJsonArray failures = client.get("/api/logs?service=" + service + "&level=error&q=connection%20refused&limit=5&range=36600d")
                                        .json().value(QStringLiteral("items")).toArray();
        QVERIFY(!failures.isEmpty());

        // What an on-call engineer sees: the outage pages once, the spike not at all. A page is what
        // bench/detection_eval counts: fired, not a test, warning or above, the page of its incident.
        auto pagesAround = [&](const Incident &i) {
            const QByteArray name = injector.model().serviceNames().at(i.service).toUtf8();
            QStringList found;
            const QJsonArray alerts = client.get("/api/alerts?service=" + name + "&range=36600d&limit=1000")
                                          .json().value(QStringLiteral("items")).toArray();
            for (const QJsonValue &v : alerts) {
                const QJsonObject a = v.toObject();
                const qint64 fired = QDateTime::fromString(a.value(QStringLiteral("fired_at")).toString(), Qt::ISODateWithMs)
                                         .toMSecsSinceEpoch();
                const QString level = a.value(QStringLiteral("level")).toString();
                if (a.value(QStringLiteral("fired_at")).isString() && !a.value(QStringLiteral("test")).toBool()
                    && level != QLatin1String("info") && a.value(QStringLiteral("pages")).toBool(true)
                    && fired >= i.start - 5 * kMinute && fired <= i.end + 30 * kMinute)
                    found << a.value(QStringLiteral("reason")).toString() + QStringLiteral(": ")
                                 + a.value(QStringLiteral("explanation")).toString();
            }
            return found;
        };
        QStringList stepPages;
        for (int i = 0; i < 100 && stepPages.isEmpty(); ++i, QThread::msleep(100))
            stepPages = pagesAround(*step);
        QVERIFY2(stepPages.size() == 1, qPrintable(stepPages.join(QLatin1Char('\n'))));
        const QStringList spikePages = pagesAround(*spike);
        QVERIFY2(spikePages.isEmpty(), qPrintable(spikePages.join(QLatin1Char('\n'))));

        // The spike is a latency jump of its own minute only: regenerate the same traffic in process.
        TrafficModel model(o.traffic);
        const std::vector<LogEvent> events = generate(model, injector.scenario(), o.startMs, o.endMs);
        QCOMPARE(qint64(events.size()), sent.events);
        Share spiked = measure(events, spike->service, spike->start, spike->start + kMinute);
        Share usual = measure(events, spike->service, spike->start - 30 * kMinute, spike->start);
        QVERIFY2(spiked.median() > 2 * usual.median(), qPrintable(QStringLiteral("%1 vs %2").arg(spiked.median()).arg(usual.median())));
        Share after = measure(events, spike->service, spike->end + kMinute, spike->end + 30 * kMinute);
        QVERIFY(after.median() < 1.5 * usual.median());
    }
};

QTEST_GUILESS_MAIN(TstInject)
#include "tst_inject.moc"
