// flowguard: the window when a display is available, the same engine headless otherwise.

#include <QApplication>
#include <QCommandLineParser>
#include <QHostAddress>
#include <QUrl>
#include <QLibraryInfo>
#include <QSettings>
#include <QSslCertificate>
#include <QTranslator>

#include <cstdio>
#include <cstdlib>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <memory>

#include "config/engineconfig.h"
#include "demodatacommand.h"
#include "democontroller.h"
#include "demotraffic.h"
#include "model/demodata.h"
#include "detectcommand.h"
#include "exportalertscommand.h"
#include "replaycommand.h"
#include "tokencommand.h"
#include "engine/engine.h"
#include "desktopsession.h"
#include "traynotifier.h"
#include "mainwindow.h"
#include "signalwatcher.h"

namespace {

struct Options {
    QHash<QString, QString> flags;
    bool headless = false;
};

void addOptions(QCommandLineParser &p)
{
    p.setApplicationDescription(QStringLiteral(
        "FlowGuard ingests logs and metrics over HTTP into a local SQLite database.\n"
        "Each option can also be set as FLOWGUARD_<NAME> in the environment or saved in the settings file;\n"
        "a flag wins over the environment, which wins over the settings.\n"
        "Commands (each with --help): detect, replay, export-alerts, token, demo-data."));
    p.addHelpOption();
    p.addVersionOption();
    p.addOption({QStringLiteral("headless"), QStringLiteral("Run without a window until SIGINT/SIGTERM.")});
    p.addOption({QStringLiteral("demo"),
                 QStringLiteral("Play demo traffic (services named demo-..., an incident every few minutes) into the "
                                "listener; also FLOWGUARD_DEMO=1. The window's Demo menu starts, stops and clears it.")});
    p.addOption({QStringLiteral("listen"), QStringLiteral("Listener address (default 127.0.0.1:4318; port 0 picks one)."),
                 QStringLiteral("ADDR:PORT")});
    p.addOption({QStringLiteral("tls-cert"),
                 QStringLiteral("Serve HTTPS only (TLS 1.2 or later) with this PEM certificate, followed by any "
                                "intermediates; needs --tls-key."),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("tls-key"), QStringLiteral("The PEM private key (RSA or EC) of --tls-cert."),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("tls-key-passphrase-file"),
                 QStringLiteral("A file whose first line is the passphrase of an encrypted --tls-key."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("db"), QStringLiteral("SQLite database file (default: the user's data directory)."),
                 QStringLiteral("PATH")});
    p.addOption({QStringLiteral("retention"), QStringLiteral("Keep raw logs and metric points this long (default 7d; off keeps all)."),
                 QStringLiteral("DURATION")});
    p.addOption({QStringLiteral("analysis-retention"),
                 QStringLiteral("Keep KPI minutes and anomalies this long (default 90d)."), QStringLiteral("DURATION")});
    p.addOption({QStringLiteral("max-db-size"), QStringLiteral("Delete the oldest data beyond this size (default 10GB)."),
                 QStringLiteral("SIZE")});
    p.addOption({QStringLiteral("sync"), QStringLiteral("normal: acknowledged data survives a crash; full: also power loss."),
                 QStringLiteral("normal|full")});
    p.addOption({QStringLiteral("max-body"), QStringLiteral("Largest request body (default 16MiB)."), QStringLiteral("SIZE")});
    p.addOption({QStringLiteral("max-inflight"), QStringLiteral("Ingest bytes held in memory before answering 503 (default 128MiB)."),
                 QStringLiteral("SIZE")});
    p.addOption({QStringLiteral("max-services"),
                 QStringLiteral("Distinct services kept; data of further new services is refused (default 10000)."),
                 QStringLiteral("COUNT")});
    p.addOption({QStringLiteral("max-series"),
                 QStringLiteral("Distinct metric series (service, name, tags) kept; samples of further new series are "
                                "refused (default 100000)."),
                 QStringLiteral("COUNT")});
    p.addOption({QStringLiteral("max-series-per-service"),
                 QStringLiteral("Distinct metric series kept per service (default 2000)."), QStringLiteral("COUNT")});
    p.addOption({QStringLiteral("syslog-port"),
                 QStringLiteral("Syslog (RFC 5424/3164) over UDP and TCP on the listen address; 0 turns it off (default 5514)."),
                 QStringLiteral("PORT")});
    p.addOption({QStringLiteral("decode-threads"),
                 QStringLiteral("Threads that decode ingest bodies (default 2; more help only with cores to spare)."),
                 QStringLiteral("COUNT")});
    p.addOption({QStringLiteral("allowed-origins"), QStringLiteral("Browser origins allowed to write, comma-separated."),
                 QStringLiteral("LIST")});
    p.addOption({QStringLiteral("allowed-hosts"), QStringLiteral("Extra Host names the listener answers, comma-separated."),
                 QStringLiteral("LIST")});
    p.addOption({QStringLiteral("alert-window"),
                 QStringLiteral("Minutes within which a repeated alert for the same service and reason is not notified "
                                "again (default 15)."),
                 QStringLiteral("MINUTES")});
    p.addOption({QStringLiteral("public-url"), QStringLiteral("Base URL of links to alerts in notifications (default: the listen address)."),
                 QStringLiteral("URL")});
    p.addOption({QStringLiteral("allow-plaintext-secrets"),
                 QStringLiteral("Without a keychain, keep channel secrets in a file readable only by you (warned at every start).")});
    p.addOption({QStringLiteral("allow-private-targets"),
                 QStringLiteral("Let channels send to loopback, link-local and private addresses (off: such targets are refused).")});
    p.addOption({QStringLiteral("require-auth"), QStringLiteral("Require a token even on loopback (see flowguard token --help).")});
    p.addOption({QStringLiteral("insecure-no-auth"),
                 QStringLiteral("Serve a non-loopback listener without tokens: anyone reaching it may read and change "
                                "everything (warned at every start).")});
    p.addOption({QStringLiteral("rate-limit"),
                 QStringLiteral("Requests a second per client address and per token, 0 for none (default 100; loopback "
                                "clients exempt)."),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("rate-burst"), QStringLiteral("Requests allowed at once above the rate (default 200)."),
                 QStringLiteral("N")});
    p.addOption({QStringLiteral("rate-limit-loopback"), QStringLiteral("Rate-limit loopback clients too.")});
    p.addOption({QStringLiteral("webhook-url"), QStringLiteral("Send alerts to this webhook (Alertmanager JSON); kept in memory only."),
                 QStringLiteral("URL")});
    p.addOption({QStringLiteral("slack-webhook-url"), QStringLiteral("Send alerts to this Slack incoming webhook; kept in memory only."),
                 QStringLiteral("URL")});
    p.addOption({QStringLiteral("smtp-url"), QStringLiteral("Send alerts by e-mail through smtp[s]://[user:password@]host[:port]."),
                 QStringLiteral("URL")});
    p.addOption({QStringLiteral("smtp-to"), QStringLiteral("E-mail recipients, comma-separated."), QStringLiteral("LIST")});
    p.addOption({QStringLiteral("smtp-from"), QStringLiteral("E-mail sender address."), QStringLiteral("ADDRESS")});
}

bool hasDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
           || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

void printLine(FILE *f, const QString &line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), f);
    std::fflush(f);
}

// The first stdout line, which scripts read: "listening on ADDR:PORT", or on https://ADDR:PORT with TLS.
QString listeningLine(const fg::EngineConfig &config, const QString &address)
{
    return QStringLiteral("listening on ") + (config.tls() ? QStringLiteral("https://") : QString()) + address;
}

// The listener's own certificate, which demo traffic over loopback trusts whatever names it carries.
QSslCertificate servedCertificate(const fg::EngineConfig &config)
{
    return config.tls() ? QSslCertificate::fromPath(config.tlsCertPath).value(0) : QSslCertificate();
}

// Where in-process demo traffic goes: this listener, over loopback when it listens on every address.
QUrl demoTarget(const fg::EngineConfig &config, quint16 port)
{
    QHostAddress host = config.listenAddress;
    if (host == QHostAddress::AnyIPv4 || host == QHostAddress::Any)
        host = QHostAddress::LocalHost;
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress::LocalHostIPv6;
    QUrl url;
    url.setScheme(config.tls() ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(host.toString());
    url.setPort(port);
    return url;
}

int runHeadless(QCoreApplication &app, const fg::EngineConfig &config, bool demo)
{
    // Handlers first: a script may send SIGTERM as soon as it reads the "listening on" line.
    SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &app, [&app](int sig) {
        printLine(stderr, QStringLiteral("flowguard: signal %1, shutting down").arg(sig));
        app.quit();
    });
    fg::Engine engine(config);
    QString error;
    if (!engine.start(&error)) {
        printLine(stderr, QStringLiteral("flowguard: ") + error);
        return 1;
    }
    printLine(stdout, listeningLine(config, engine.listenAddress()));
    printLine(stderr, QStringLiteral("flowguard %1: database %2, sync=%3")
                          .arg(QCoreApplication::applicationVersion(), config.dbPath,
                               config.syncFull ? QStringLiteral("full") : QStringLiteral("normal")));
    std::unique_ptr<fg::inject::DemoTraffic> demoTraffic;
    if (demo) {
        fg::inject::DemoTraffic::Options options;
        options.url = demoTarget(config, engine.port());
        options.pinnedCertificate = servedCertificate(config);
        options.servicePrefix = QString::fromLatin1(fg::kDemoServicePrefix);
        demoTraffic = std::make_unique<fg::inject::DemoTraffic>(options);
        demoTraffic->start();
        printLine(stderr, QStringLiteral("flowguard: demo traffic to %1 (services demo-*)").arg(options.url.toString()));
    }
    const int rc = app.exec();
    // The traffic thread ends before the listener it talks to.
    demoTraffic.reset();
    engine.stop();
    printLine(stderr, QStringLiteral("flowguard: stopped cleanly"));
    return rc;
}

// The window shows at once; the engine starts and stops on its own thread (DesktopSession), so the
// GUI thread never waits for the database, the keychain or the listener to drain.
int runWindow(QApplication &app, const fg::EngineConfig &config, fg::MainWindow *window, bool demo)
{
    SignalWatcher signalWatcher;
    // Desktop notifications through the window's tray (or the session's notification service); a click
    // brings the incident up.
    fg::TrayNotifier tray;
    // With a tray, closing the window keeps monitoring; the window's Quit ends the run, once the
    // engine has stopped.
    window->setTray(tray.trayIcon());
    window->setNotifier(&tray);
    QApplication::setQuitOnLastWindowClosed(false);
    fg::DesktopSession session(config, window, &tray);
    QObject::connect(&signalWatcher, &SignalWatcher::terminationRequested, &session, [window](int sig) {
        printLine(stderr, QStringLiteral("flowguard: signal %1, shutting down").arg(sig));
        // The window's own Quit: a plain close would hide to the tray or ask.
        window->quit();
    });
    // Demo traffic from the window's Demo menu, into this listener once it is up.
    fg::DemoController demoMenu;
    QObject::connect(&session, &fg::DesktopSession::ready, &demoMenu, [&, demo](const QString &address) {
        const auto port = quint16(address.section(QLatin1Char(':'), -1).toUInt());
        demoMenu.setTarget(demoTarget(config, port), [engine = session.engine()](const QByteArray &method, const QByteArray &target,
                                                                                const QByteArray &body, QObject *context,
                                                                                std::function<void(const fg::HttpResponse &)> done) {
            engine->callApi(method, target, body, context, std::move(done));
        }, servedCertificate(config));
        window->setDemo(&demoMenu);
        if (demo)
            demoMenu.start();
    });
    QObject::connect(&session, &fg::DesktopSession::ready, &app, [&config](const QString &address) {
        printLine(stdout, listeningLine(config, address));
        printLine(stderr, QStringLiteral("flowguard %1: database %2, sync=%3")
                              .arg(QCoreApplication::applicationVersion(), config.dbPath,
                                   config.syncFull ? QStringLiteral("full") : QStringLiteral("normal")));
    });
    QObject::connect(&session, &fg::DesktopSession::failed, &app,
                     [](const QString &error) { printLine(stderr, QStringLiteral("flowguard: ") + error); });
    QObject::connect(&session, &fg::DesktopSession::finished, &app, [&app](int rc) { app.exit(rc); });
    session.start();
    const int rc = app.exec();
    if (rc == 0)
        printLine(stderr, QStringLiteral("flowguard: stopped cleanly"));
    return rc;
}

} // namespace

int main(int argc, char *argv[])
{
#if defined(__GLIBC__)
    // Few heap arenas: each thread that decodes, stores or analyses would otherwise keep its own, and
    // memory freed in one is not reused by another (the analysis thread trims them after backlogs).
    mallopt(M_ARENA_MAX, 4);
    // Large blocks (request bodies, pages read back, chunk buffers) mapped and unmapped on their own: by
    // default glibc raises this threshold after the first such block is freed and then carves them from the
    // heap, where they left holes a backlog kept (analysis_scale, 1,000 services: peak RSS 286 -> 218 MB).
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
    // Before anything else: subcommands resolve the default database path like the engine does.
    QCoreApplication::setOrganizationName(QStringLiteral("FlowGuard"));
    QCoreApplication::setApplicationName(QStringLiteral("flowguard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FLOWGUARD_VERSION));

    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    // Subcommands: offline tools on the same core, no listener.
    if (args.size() > 1 && (args[1] == QLatin1String("detect") || args[1] == QLatin1String("replay")
                             || args[1] == QLatin1String("export-alerts") || args[1] == QLatin1String("token")
                             || args[1] == QLatin1String("demo-data"))) {
        QCoreApplication app(argc, argv);
        const QString command = args.takeAt(1);
        if (command == QLatin1String("demo-data"))
            return runDemoDataCommand(args);
        if (command == QLatin1String("detect"))
            return runDetectCommand(args);
        if (command == QLatin1String("token"))
            return runTokenCommand(args);
        return command == QLatin1String("replay") ? runReplayCommand(args) : runExportAlertsCommand(args);
    }
    QCommandLineParser parser;
    addOptions(parser);
    const bool parsed = parser.parse(args);
    const bool wantsWindow = parsed && !parser.isSet(QStringLiteral("headless")) && !parser.isSet(QStringLiteral("help"))
                             && !parser.isSet(QStringLiteral("version")) && parser.positionalArguments().isEmpty();
    const bool window = wantsWindow && hasDisplay();

    std::unique_ptr<QCoreApplication> app;
    if (window)
        app = std::make_unique<QApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    parser.process(*app); // --help, --version and unknown options end here
    if (!parser.positionalArguments().isEmpty()) {
        printLine(stderr, QStringLiteral("flowguard: unknown command '%1' (see --help)").arg(parser.positionalArguments().first()));
        return 2;
    }
    if (wantsWindow && !window)
        printLine(stderr, QStringLiteral("flowguard: no display found, running headless"));

    QHash<QString, QString> flags;
    for (const QString &key : fg::configKeys())
        if (parser.isSet(key))
            flags.insert(key, parser.value(key));
    QSettings settings;
    const fg::ConfigResult config = fg::resolveConfig(flags, QProcessEnvironment::systemEnvironment(), &settings);
    if (!config.errors.isEmpty()) {
        for (const QString &e : config.errors)
            printLine(stderr, QStringLiteral("flowguard: ") + e);
        return 2;
    }
    for (const QString &w : config.warnings)
        printLine(stderr, QStringLiteral("flowguard: warning: ") + w);

    const bool demo = parser.isSet(QStringLiteral("demo")) || qEnvironmentVariable("FLOWGUARD_DEMO") == QLatin1String("1");
    if (!window)
        return runHeadless(*app, config.config, demo);

    QTranslator translator;
    // The installed translations first (a package may update them), then the copies built in.
    const QString installed = QCoreApplication::applicationDirPath() + QStringLiteral("/../share/flowguard/translations");
    if (translator.load(QLocale(), QStringLiteral("flowguard"), QStringLiteral("_"), installed)
        || translator.load(QLocale(), QStringLiteral("flowguard"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(&translator);
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("flowguard"), QIcon(QStringLiteral(":/icons/flowguard.png"))));
    fg::MainWindow mainWindow;
    mainWindow.setSettings(&settings);
    return runWindow(static_cast<QApplication &>(*app), config.config, &mainWindow, demo);
}
