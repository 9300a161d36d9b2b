// flowguard-inject: plays seeded incident scenarios as realistic service traffic into a FlowGuard
// listener over HTTP and writes the ground truth, for end-to-end detection benchmarks.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QTextStream>

#include <cstdio>

#include "injector.h"
#include "scenario.h"

using namespace fg::inject;

namespace {

int fail(const QString &message)
{
    std::fprintf(stderr, "flowguard-inject: %s\n", qPrintable(message));
    return 1;
}

QString iso(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate); }

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("flowguard-inject"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Sends simulated service traffic with seeded incidents to FlowGuard's /api/ingest/logs and writes the ground truth."));
    parser.addHelpOption();
    const QCommandLineOption url({QStringLiteral("url")}, QStringLiteral("FlowGuard base URL."), QStringLiteral("URL"),
                                 QStringLiteral("http://127.0.0.1:4318"));
    const QCommandLineOption services({QStringLiteral("services")}, QStringLiteral("Number of services (1-1000)."),
                                      QStringLiteral("N"), QStringLiteral("4"));
    const QCommandLineOption endpoints({QStringLiteral("endpoints")}, QStringLiteral("Routes per service (1-100)."),
                                       QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption hours({QStringLiteral("hours")}, QStringLiteral("Simulated hours to send."),
                                   QStringLiteral("H"), QStringLiteral("12"));
    const QCommandLineOption start({QStringLiteral("start")},
                                   QStringLiteral("First event time, ISO 8601 (UTC without offset). Default: now - hours "
                                                  "with --speedup (the run ends now), now otherwise."),
                                   QStringLiteral("TIME"));
    const QCommandLineOption speedup({QStringLiteral("speedup")},
                                     QStringLiteral("Send simulated time as fast as the listener takes it."));
    const QCommandLineOption rate({QStringLiteral("rate")}, QStringLiteral("Traffic multiplier."), QStringLiteral("X"),
                                  QStringLiteral("1"));
    const QCommandLineOption seed({QStringLiteral("seed")}, QStringLiteral("Random seed."), QStringLiteral("N"),
                                  QStringLiteral("1"));
    const QCommandLineOption scenario({QStringLiteral("scenario")},
                                      QStringLiteral("Scenario, repeatable or comma-separated: %1.")
                                          .arg(Scenario::names().join(QStringLiteral(", "))),
                                      QStringLiteral("NAME"));
    const QCommandLineOption groundTruth({QStringLiteral("ground-truth")},
                                         QStringLiteral("Write the incidents as a JSON array to FILE."), QStringLiteral("FILE"));
    const QCommandLineOption maxInFlight({QStringLiteral("max-inflight")}, QStringLiteral("Requests in flight at once."),
                                         QStringLiteral("N"), QStringLiteral("2"));
    const QCommandLineOption timeout({QStringLiteral("timeout")},
                                     QStringLiteral("Give up after this many seconds (default: 600 with --speedup, "
                                                    "the simulated span plus 10 minutes otherwise)."),
                                     QStringLiteral("S"));
    parser.addOptions({url, services, endpoints, hours, start, speedup, rate, seed, scenario, groundTruth, maxInFlight, timeout});
    parser.process(app);

    bool ok = true;
    auto number = [&](const QCommandLineOption &o, double lo, double hi) {
        bool good = false;
        const double v = parser.value(o).toDouble(&good);
        if (!good || v < lo || v > hi) {
            ok = false;
            fail(QStringLiteral("--%1 expects a number from %2 to %3").arg(o.names().first()).arg(lo).arg(hi));
        }
        return v;
    };
    Injector::Options options;
    options.url = QUrl(parser.value(url));
    options.traffic.services = int(number(services, 1, 1000));
    options.traffic.endpoints = int(number(endpoints, 1, 100));
    options.traffic.rate = number(rate, 0.001, 1000);
    options.traffic.seed = quint64(number(seed, 0, 9e15));
    options.maxInFlight = int(number(maxInFlight, 1, 64));
    options.speedup = parser.isSet(speedup);
    const double spanHours = number(hours, 1.0 / 60, 24 * 365);
    if (!ok)
        return 1;
    if (!options.url.isValid() || options.url.scheme() != QLatin1String("http"))
        return fail(QStringLiteral("--url expects an http:// URL"));
    const qint64 span = qint64(spanHours * 3600 * 1000);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (parser.isSet(start)) {
        QDateTime t = QDateTime::fromString(parser.value(start), Qt::ISODateWithMs);
        if (!t.isValid())
            return fail(QStringLiteral("--start expects an ISO 8601 time"));
        if (t.timeSpec() == Qt::LocalTime)
            t.setTimeSpec(Qt::UTC);
        options.startMs = t.toMSecsSinceEpoch();
    } else {
        options.startMs = options.speedup ? now - span : now;
    }
    options.endMs = options.startMs + span;
    options.timeoutMs = parser.isSet(timeout) ? qint64(number(timeout, 1, 1e7) * 1000)
                                              : (options.speedup ? 600000 : span + 600000);
    if (!ok)
        return 1;

    QStringList names;
    for (const QString &v : parser.values(scenario))
        names += v.split(u',', Qt::SkipEmptyParts);
    if (names.isEmpty())
        names << QStringLiteral("mixed");
    QString note;
    auto built = Scenario::build(names, {options.traffic.services, options.traffic.endpoints, options.startMs,
                                         options.endMs, options.traffic.seed},
                                 &note);
    if (!built)
        return fail(note);
    if (!note.isEmpty())
        std::fprintf(stderr, "flowguard-inject: %s\n", qPrintable(note));

    Injector injector(options, std::move(*built));
    QObject::connect(&injector, &Injector::finished, &app, &QCoreApplication::quit);
    injector.start();
    app.exec();

    const Injector::Summary s = injector.summary();
    if (parser.isSet(groundTruth)) {
        QFile file(parser.value(groundTruth));
        const QJsonArray truth = injector.scenario().groundTruth(injector.model().serviceNames(), injector.model().endpointNames());
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(QJsonDocument(truth).toJson()) < 0)
            return fail(QStringLiteral("cannot write %1").arg(file.fileName()));
    }
    QTextStream(stdout) << QStringLiteral("flowguard-inject: %1 events in %2 requests, %3 s (simulated %4 to %5, %6 incidents); "
                                          "accepted %7, rejected %8, retries %9%10\n")
                               .arg(s.events)
                               .arg(s.requests)
                               .arg(double(s.elapsedMs) / 1000, 0, 'f', 1)
                               .arg(iso(options.startMs), iso(s.simulatedUpTo))
                               .arg(injector.scenario().incidents().size())
                               .arg(s.accepted)
                               .arg(s.rejected)
                               .arg(s.retries)
                               .arg(s.timedOut ? QStringLiteral("; TIMED OUT") : s.lastError.isEmpty() ? QString() : QStringLiteral("; last error: ") + s.lastError);
    return s.timedOut || s.rejected > 0 ? 2 : 0;
}
