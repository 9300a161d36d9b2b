#include "demodatacommand.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QProcessEnvironment>
#include <QSettings>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <cstdio>

#include "commandsupport.h"
#include "config/engineconfig.h"
#include "engine/engine.h"
#include "injector.h"
#include "model/demodata.h"
#include "scenario.h"

namespace {

constexpr qint64 kMinuteMs = 60 * 1000;
constexpr qint64 kHourMs = 60 * kMinuteMs;

// The story: the first service's latency creeps up over the last hours and the second's errors follow
// later, both still going at the end (so the views show a degradation in progress); the traffic model adds
// its daily cycle and harmless bursts.
fg::inject::Scenario degradation(qint64 startMs, qint64 endMs)
{
    const qint64 span = endMs - startMs;
    const qint64 creep = std::min<qint64>(3 * kHourMs, span / 3);
    fg::inject::Incident latency;
    latency.kind = fg::inject::IncidentKind::LatencyCreep;
    latency.service = 0;
    latency.start = endMs - creep;
    latency.rampEnd = endMs - creep / 4;
    latency.end = endMs + kMinuteMs;
    latency.magnitude = 4;
    fg::inject::Incident errors = latency;
    errors.kind = fg::inject::IncidentKind::ErrorCreep;
    errors.service = 1;
    errors.start = endMs - creep / 2;
    errors.magnitude = 0.15;
    return fg::inject::Scenario::of({latency, errors});
}

} // namespace

int runDemoDataCommand(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Write hours of demo history (services named demo-…, ending now, a gradual degradation in the last hours) "
        "into a database through FlowGuard's own listener. The database must not be in use."));
    p.addHelpOption();
    p.addOption({QStringLiteral("hours"), QStringLiteral("Hours of history (1-720, default 24)."), QStringLiteral("H"),
                 QStringLiteral("24")});
    p.addOption({QStringLiteral("db"), QStringLiteral("Database (default: as flowguard resolves it)."), QStringLiteral("PATH")});
    p.addOption({QStringLiteral("rate"), QStringLiteral("Traffic multiplier (0.1-20, default 3)."), QStringLiteral("X"),
                 QStringLiteral("3")});
    p.process(arguments);
    bool ok = false;
    const double hours = p.value(QStringLiteral("hours")).toDouble(&ok);
    if (!ok || hours < 1 || hours > 720) {
        commandError("demo-data", QStringLiteral("--hours expects a number from 1 to 720"));
        return 2;
    }
    const double rate = p.value(QStringLiteral("rate")).toDouble(&ok);
    if (!ok || rate < 0.1 || rate > 20) {
        commandError("demo-data", QStringLiteral("--rate expects a number from 0.1 to 20"));
        return 2;
    }
    QHash<QString, QString> flags{{QStringLiteral("listen"), QStringLiteral("127.0.0.1:0")}};
    if (p.isSet(QStringLiteral("db")))
        flags.insert(QStringLiteral("db"), p.value(QStringLiteral("db")));
    QSettings settings;
    fg::ConfigResult resolved = fg::resolveConfig(flags, QProcessEnvironment::systemEnvironment(), &settings);
    if (!resolved.errors.isEmpty()) {
        commandError("demo-data", resolved.errors.join(QStringLiteral("; ")));
        return 2;
    }
    fg::EngineConfig config = resolved.config;
    config.requireAuth = false; // loopback, this process only
    fg::Engine engine(config);
    // History is not news: no desktop pop-ups for the last hour's alerts while it is written.
    engine.setDesktopNotifier([](const fg::OutgoingNotification &) { return fg::SendResult{true, false, 0, {}}; });
    QString error;
    if (!engine.start(&error)) {
        commandError("demo-data", error);
        return 1;
    }
    fg::inject::Injector::Options o;
    o.url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(engine.port()));
    o.traffic.services = 5;
    o.traffic.endpoints = 3;
    o.traffic.rate = rate;
    o.traffic.seed = 11;
    o.traffic.servicePrefix = QString::fromLatin1(fg::kDemoServicePrefix);
    o.traffic.demoTag = true;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    o.endMs = now - now % kMinuteMs; // whole minutes, all closed by now
    o.startMs = o.endMs - qint64(hours * double(kHourMs));
    o.speedup = true;
    o.maxInFlight = 4;
    o.timeoutMs = 1800000;
    fg::inject::Injector injector(o, degradation(o.startMs, o.endMs));
    QObject::connect(&injector, &fg::inject::Injector::finished, QCoreApplication::instance(), &QCoreApplication::quit);
    QElapsedTimer clock;
    clock.start();
    injector.start();
    QCoreApplication::exec();
    // Analysis reads what it could not take live back from the store; on stop it only finishes what is
    // queued, so let it catch up first (bounded).
    QElapsedTimer wait;
    wait.start();
    while (engine.stats().analysisLagEvents > 0 && wait.elapsed() < 300000)
        QThread::msleep(100);
    engine.stop(); // analysis writes its last minutes and anomalies first
    const fg::inject::Injector::Summary s = injector.summary();
    const auto iso = [](qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate); };
    std::printf("flowguard demo-data: %lld events (%lld accepted) from %s to %s in %.1f s into %s\n",
                static_cast<long long>(s.events), static_cast<long long>(s.accepted), qPrintable(iso(o.startMs)),
                qPrintable(iso(s.simulatedUpTo)), double(clock.elapsed()) / 1000, qPrintable(config.dbPath));
    if (s.timedOut || s.rejected > 0 || s.accepted != s.events) {
        commandError("demo-data", QStringLiteral("incomplete: %1 rejected%2")
                                      .arg(s.rejected)
                                      .arg(s.lastError.isEmpty() ? QString() : QStringLiteral(" (") + s.lastError + u')'));
        return 1;
    }
    return 0;
}
