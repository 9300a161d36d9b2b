// window_screenshots OUTDIR [--dark]: renders the window's views to PNG with generated history (a real engine
// on a loopback port and a temporary database), for the README and for looking at the layout; --dark under
// a dark Fusion palette, as a dark desktop gives it. Not a test.

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

#include "alertfilterbar.h"
#include "alertsmodel.h"
#include "alertsview.h"
#include "connectpanel.h"
#include "evidencechart.h"
#include "engine/engine.h"
#include "incidentsmodel.h"
#include "incidentsview.h"
#include "logsmodel.h"
#include "logsview.h"
#include "mainwindow.h"
#include "rejectionsmodel.h"
#include "settingsview.h"
#include "servicesmodel.h"
#include "servicesoverview.h"
#include "serviceview.h"
#include "testhttpclient.h"
#include "windowtraffic.h"

using namespace fg;

namespace {
bool waitFor(const std::function<bool()> &done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < ms)
        QTest::qWait(100);
    return done();
}
} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: window_screenshots OUTDIR [--dark]\n");
        return 2;
    }
    if (argc > 2 && QByteArray(argv[2]) == "--dark") {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette dark = QApplication::style()->standardPalette();
        const QColor window(0x35, 0x35, 0x35), base(0x2a, 0x2a, 0x2a), text(0xe6, 0xe6, 0xe6);
        for (const auto &[role, colour] : {std::pair{QPalette::Window, window}, {QPalette::Base, base},
                                           {QPalette::AlternateBase, QColor(0x42, 0x42, 0x42)}, {QPalette::Button, window},
                                           {QPalette::WindowText, text}, {QPalette::Text, text}, {QPalette::ButtonText, text},
                                           {QPalette::ToolTipBase, base}, {QPalette::ToolTipText, text},
                                           {QPalette::Highlight, QColor(0x2a, 0x82, 0xda)}, {QPalette::HighlightedText, Qt::white}})
            dark.setColor(role, colour);
        QApplication::setPalette(dark);
    }
    QStandardPaths::setTestModeEnabled(true);
    const QDir out(QString::fromLocal8Bit(argv[1]));
    QDir().mkpath(out.path());
    QTemporaryDir dir;
    EngineConfig c;
    c.listenPort = 0;
    c.dbPath = dir.filePath(QStringLiteral("screens.db"));
    c.retentionSeconds = 0;
    Engine engine(c);
    QString err;
    if (!engine.start(&err)) {
        std::fprintf(stderr, "engine: %s\n", qPrintable(err));
        return 1;
    }
    MainWindow w;
    w.setApi([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                       std::function<void(const HttpResponse &)> done) {
        engine.callApi(method, target, body, context, std::move(done));
    });
    w.showStats(engine.stats());
    w.resize(1280, 800);
    w.show();
    QTest::qWait(500);
    w.grab().save(out.filePath(QStringLiteral("empty.png")));

    // Three hours of four services: one steady, one with an error burst, one drifting slower, one small.
    TestHttpClient client(engine.port());
    TrafficShape checkout{"checkout"}, auth{"auth"}, search{"search"}, ledger{"ledger"};
    for (TrafficShape *s : {&checkout, &auth, &search, &ledger}) {
        s->minutes = 180;
        s->perMinute = 60;
    }
    checkout.seed = 1;
    auth.seed = 2;
    auth.latencyMs = 40;
    auth.recentMinutes = 25;
    auth.recentErrorShare = 0.22;
    auth.recentLatencyFactor = 1.6;
    search.seed = 3;
    search.latencyMs = 120;
    search.recentMinutes = 45;
    search.recentLatencyFactor = 2.2;
    search.recentErrorShare = 0.02;
    ledger.seed = 4;
    ledger.perMinute = 12;
    ledger.latencyMs = 25;
    for (const TrafficShape &s : {checkout, auth, search, ledger})
        if (client.post("/api/ingest/logs", generateTraffic(s), "application/x-ndjson").status != 202)
            return 1;
    ServicesOverview *overview = w.servicesOverview();
    const bool scored = waitFor(
        [&] {
            const auto &rows = overview->model()->rows();
            return rows.size() == 4 && std::all_of(rows.begin(), rows.end(), [](const ServiceRow &r) {
                       return r.score && r.sparkline.size() == 60 && r.throughputRps;
                   });
        },
        30000);
    if (!scored)
        std::fprintf(stderr, "warning: not every service was scored in time\n");
    w.showStats(engine.stats());
    QTest::qWait(300);
    w.grab().save(out.filePath(QStringLiteral("overview.png")));

    w.openService(QStringLiteral("search"));
    ServiceView *service = w.serviceView();
    QSignalSpy loaded(service, &ServiceView::timelinesLoaded);
    service->rangeBox()->setCurrentIndex(2); // 6 hours
    if (!loaded.wait(10000))
        std::fprintf(stderr, "warning: the timelines did not load in time\n");
    QTest::qWait(300);
    w.grab().save(out.filePath(QStringLiteral("service.png")));

    QSignalSpy page(w.logsView()->model(), &LogsModel::pageLoaded);
    w.logsView()->levelFilter()->setCurrentIndex(3); // warn and above
    w.findChild<QTabWidget *>()->setCurrentWidget(w.logsView());
    w.logsView()->search();
    if (!page.wait(10000))
        std::fprintf(stderr, "warning: the logs did not load in time\n");
    QTest::qWait(300);
    w.grab().save(out.filePath(QStringLiteral("logs.png")));

    // Incidents and the alert history: a rule that raises an alert for any error minute gives both.
    client.post("/api/rules", "{\"name\":\"errors seen\",\"condition\":\"count(level>=ERROR) > 0\",\"window\":\"5m\","
                              "\"level\":\"warning\"}");
    auto *area = w.findChild<QTabWidget *>(QStringLiteral("alertsArea"));
    w.findChild<QTabWidget *>()->setCurrentWidget(area);
    area->setCurrentWidget(w.incidentsView());
    if (!waitFor([&] { return w.incidentsView()->model()->rowCount() > 0; }, 30000))
        std::fprintf(stderr, "warning: no incident in time\n");
    QTest::qWait(300);
    w.grab().save(out.filePath(QStringLiteral("incidents.png")));
    area->setCurrentWidget(w.alertsView());
    w.alertsView()->filterBar()->setState(QString());
    QSignalSpy charted(w.alertsView(), &AlertsView::chartRefreshed);
    if (!charted.wait(10000))
        std::fprintf(stderr, "warning: the alert chart did not load in time\n");
    // The newest alert's details, with its evidence chart.
    if (w.alertsView()->model()->rowCount() > 0) {
        QSignalSpy drawn(w.alertsView()->evidenceChart(), &EvidenceChart::drawn);
        w.alertsView()->showAlert(w.alertsView()->model()->alertAt(0).id);
        if (!drawn.wait(10000))
            std::fprintf(stderr, "warning: the evidence chart did not load in time\n");
    }
    QTest::qWait(300);
    w.grab().save(out.filePath(QStringLiteral("alerts.png")));

    // Connect a client, with one refused request in the inspector.
    client.post("/api/ingest/logs", "[{\"service\":\"checkout\",\"ts\":\"yesterday\",\"message\":\"x\"}]");
    client.post("/v1/logs", "x", "application/x-protobuf");
    w.openConnect();
    w.connectPanel()->selectFormat(QStringLiteral("otel-sdk"));
    waitFor([&] { return w.connectPanel()->rejections()->rowCount() >= 2; }, 10000);
    QTest::qWait(300);
    w.grab().save(out.filePath(QStringLiteral("connect.png")));

    w.openSettings();
    w.settingsView()->showPage(SettingsView::Detection);
    QTest::qWait(500);
    w.grab().save(out.filePath(QStringLiteral("settings.png")));
    std::printf("%s\n", qPrintable(out.path()));
    engine.stop();
    return 0;
}
