#include "mainwindow.h"

#include <QAction>
#include <QCloseEvent>
#include <QHeaderView>
#include <QDateTime>
#include <QCoreApplication>
#include <QLabel>
#include <QJsonObject>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>

#include "alertsview.h"
#include "channelsdialog.h"
#include "democontroller.h"
#include "connectpanel.h"
#include "incidentsview.h"
#include "logsview.h"
#include "rulesview.h"
#include "settingsview.h"
#include "servicesmodel.h"
#include "servicesoverview.h"
#include "serviceview.h"
#include "statepalette.h"
#include "traynotifier.h"
#include "windowsettings.h"

namespace fg {

namespace {
constexpr int kFiringRefreshMs = 5000;
constexpr qint64 kShownAnalysisLag = 10000; // a few batches behind is normal under load
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_tabs(new QTabWidget), m_listen(new QLabel), m_rate(new QLabel), m_stored(new QLabel),
      m_database(new QLabel), m_muted(new QLabel), m_mute(new QAction(this)), m_overview(new ServicesOverview(&m_api)), m_service(new ServiceView(&m_api)),
      m_logs(new LogsView(&m_api)), m_alertsArea(new QTabWidget), m_incidents(new IncidentsView(&m_api)), m_alerts(new AlertsView(&m_api)),
      m_settingsView(new SettingsView(&m_api)), m_connect(new ConnectPanel(&m_api))
{
    setWindowTitle(tr("FlowGuard"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/flowguard.png")));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_overview, tr("Services"));
    m_tabs->addTab(m_service, tr("Service"));
    m_tabs->addTab(m_logs, tr("Logs"));
    // Incidents first: the list an on-call engineer works from; each alert's history beside it.
    m_alertsArea->setObjectName(QStringLiteral("alertsArea"));
    m_alertsArea->addTab(m_incidents, tr("Incidents"));
    m_alertsArea->addTab(m_alerts, tr("Alert history"));
    m_tabs->addTab(m_alertsArea, tr("Alerts"));
    m_tabs->addTab(m_settingsView, tr("Settings"));
    m_tabs->addTab(m_connect, tr("Connect"));
    setCentralWidget(m_tabs);
    connect(m_overview, &ServicesOverview::openService, this, &MainWindow::openService);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_settingsView && m_api.ready())
            m_settingsView->refresh();
    });
    connect(m_overview, &ServicesOverview::refreshed, this, &MainWindow::showWorstState);
    connect(m_service, &ServiceView::openAlert, this, &MainWindow::showAlert);
    connect(m_service, &ServiceView::openLogs, this, [this](const QString &service) {
        m_tabs->setCurrentWidget(m_logs);
        m_logs->showService(service);
    });
    // One acknowledger for both lists, remembered between runs.
    auto rememberAcknowledger = [this](const QString &name) {
        m_alerts->setAcknowledger(name);
        m_incidents->setAcknowledger(name);
        if (m_settings)
            WindowSettings(m_settings).setAcknowledger(name);
    };
    connect(m_alerts, &AlertsView::acknowledgerChanged, this, rememberAcknowledger);
    connect(m_incidents, &IncidentsView::acknowledgerChanged, this, rememberAcknowledger);
    connect(m_incidents, &IncidentsView::acknowledged, this, &MainWindow::refreshFiring);
    connect(m_alerts, &AlertsView::exportFolderChanged, this, [this](const QString &folder) {
        if (m_settings)
            WindowSettings(m_settings).setExportFolder(folder);
    });
    m_mute->setText(tr("&Mute notifications for 1 h"));
    m_mute->setObjectName(QStringLiteral("muteNotifications"));
    m_mute->setCheckable(true);
    m_mute->setEnabled(false); // until there is a notifier
    m_muted->setObjectName(QStringLiteral("mutedState"));
    m_muted->hide();
    buildMenus();
    m_listen->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_listen->setToolTip(tr("The listener your services send their logs and metrics to"));
    for (QLabel *l : {m_muted, m_listen, m_rate, m_stored, m_database})
        statusBar()->addPermanentWidget(l);
    statusBar()->showMessage(tr("Starting…"));
    resize(1100, 680);
    // Counted while hidden too: the tray's tooltip says it.
    m_firingTimer.setInterval(kFiringRefreshMs);
    connect(&m_firingTimer, &QTimer::timeout, this, &MainWindow::refreshFiring);
    m_firingTimer.start();
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), this, &MainWindow::quit);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction *go = view->addAction(m_tabs->tabText(i), this, [this, i] { m_tabs->setCurrentIndex(i); });
        go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    view->addSeparator();
    view->addAction(tr("&Refresh"), QKeySequence(Qt::Key_F5), this, &MainWindow::refreshCurrent);
    view->addAction(tr("&Find…"), QKeySequence(Qt::CTRL | Qt::Key_F), this, &MainWindow::find);
    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    settings->setObjectName(QStringLiteral("settingsMenu"));
    settings->addAction(tr("&Settings…"), QKeySequence(Qt::CTRL | Qt::Key_Comma), this, &MainWindow::openSettings);
    settings->addAction(tr("Notification &channels…"), this, &MainWindow::openChannels);
    settings->addAction(m_mute);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Connect a client…"), this, &MainWindow::openConnect);
    help->addAction(tr("&About FlowGuard"), this, &MainWindow::showAbout);
}

void MainWindow::find()
{
    if (m_tabs->currentWidget() == m_overview)
        return m_overview->focusSearch();
    m_tabs->setCurrentWidget(m_logs);
    m_logs->focusSearch();
}

void MainWindow::showAbout()
{
    // The database path comes from the engine (the API), not from a file read here.
    m_api.get("/api/health", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        const QString db = status == 200 ? json.value(QStringLiteral("db")).toObject().value(QStringLiteral("path")).toString()
                                         : ApiClient::errorText(json);
        auto *box = new QMessageBox(QMessageBox::Information, tr("About FlowGuard"),
                                    tr("<h3>FlowGuard %1</h3><p>Local ingest, storage and early degradation alerts for "
                                       "service logs and metrics.</p><p>Listening on %2<br>Database: %3</p>")
                                        .arg(QCoreApplication::applicationVersion().toHtmlEscaped(),
                                             m_listen->text().toHtmlEscaped(), db.toHtmlEscaped()),
                                    QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("about"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
}

void MainWindow::showStarting()
{
    m_tabs->setEnabled(false);
    statusBar()->showMessage(tr("Starting: opening the database and restoring alerts…"));
}

void MainWindow::showStartFailed(const QString &error)
{
    statusBar()->showMessage(tr("FlowGuard could not start: %1").arg(error));
}

void MainWindow::setApi(ApiClient::Transport transport)
{
    m_api.setTransport(std::move(transport));
    m_tabs->setEnabled(true);
    statusBar()->showMessage(tr("Ready"));
    m_overview->refresh();
    m_incidents->refresh();
    m_alerts->refresh();
    rulesView()->reload();
    if (m_tabs->currentWidget() == m_settingsView)
        m_settingsView->refresh();
    refreshFiring();
}

void MainWindow::setDemo(DemoController *demo)
{
    auto *menu = new QMenu(tr("&Demo"), this);
    menu->addAction(demo->toggleAction());
    menu->addAction(demo->clearAction());
    menuBar()->insertMenu(menuBar()->actions().constLast(), menu); // before Help
    connect(demo, &DemoController::cleared, this, [this](bool, const QString &message) {
        statusBar()->showMessage(message, 10000);
        m_overview->refresh();
        m_incidents->refresh();
        m_alerts->refresh();
    });
}

void MainWindow::setTray(QSystemTrayIcon *tray)
{
    m_tray = tray;
    if (!tray)
        return;
    auto *menu = new QMenu(this);
    menu->addAction(tr("&Open FlowGuard"), this, &MainWindow::bringUp);
    menu->addAction(m_mute);
    menu->addSeparator();
    menu->addAction(tr("&Quit"), this, &MainWindow::quit);
    tray->setContextMenu(menu);
    connect(tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            bringUp();
    });
}

void MainWindow::setNotifier(TrayNotifier *notifier)
{
    m_notifier = notifier;
    m_mute->setEnabled(notifier);
    if (!notifier)
        return;
    connect(notifier, &TrayNotifier::openAlert, this, &MainWindow::showAlert);
    connect(notifier, &TrayNotifier::openIncident, this, &MainWindow::showIncident);
    connect(m_mute, &QAction::toggled, notifier, [notifier](bool mute) {
        notifier->muteUntil(mute ? QDateTime::currentDateTimeUtc().addSecs(3600) : QDateTime());
    });
    connect(notifier, &TrayNotifier::mutedChanged, this, [this](bool muted, const QDateTime &until) {
        const QSignalBlocker block(m_mute);
        m_mute->setChecked(muted);
        const QString time = QLocale().toString(until.toLocalTime().time(), QLocale::ShortFormat);
        m_mute->setText(muted ? tr("Notifications muted until %1 (click to unmute)").arg(time)
                              : tr("&Mute notifications for 1 h"));
        m_muted->setText(tr("Notifications muted until %1").arg(time));
        m_muted->setVisible(muted);
        refreshFiring(); // the tray's tooltip says it too
    });
}

void MainWindow::setSettings(QSettings *settings)
{
    m_settings = settings;
    const WindowSettings saved(settings);
    if (const QByteArray geometry = saved.geometry(); !geometry.isEmpty())
        restoreGeometry(geometry);
    for (QSplitter *s : findChildren<QSplitter *>())
        if (!s->objectName().isEmpty())
            s->restoreState(saved.splitter(s->objectName()));
    for (QHeaderView *h : columnHeaders())
        if (const QByteArray state = saved.columns(h->parent()->objectName()); !state.isEmpty())
            h->restoreState(state);
    m_tabs->setCurrentIndex(qBound(0, saved.view(), m_tabs->count() - 1));
    m_service->setRangeIndex(saved.serviceRange());
    m_logs->setRangeIndex(saved.logsRange());
    m_alerts->setAcknowledger(saved.acknowledger());
    m_incidents->setAcknowledger(saved.acknowledger());
    m_alerts->setExportFolder(saved.exportFolder());
    m_settingsView->setSettings(settings);
}

QList<QHeaderView *> MainWindow::columnHeaders() const
{
    // The column headers of the named tables and trees: their widths and order are the user's.
    QList<QHeaderView *> headers;
    for (QHeaderView *h : findChildren<QHeaderView *>())
        if (h->orientation() == Qt::Horizontal && qobject_cast<QAbstractItemView *>(h->parent())
            && !h->parent()->objectName().isEmpty())
            headers << h;
    return headers;
}

void MainWindow::saveLayout()
{
    if (!m_settings)
        return;
    WindowSettings saved(m_settings);
    saved.setGeometry(saveGeometry());
    for (const QSplitter *s : findChildren<QSplitter *>())
        if (!s->objectName().isEmpty())
            saved.setSplitter(s->objectName(), s->saveState());
    for (const QHeaderView *h : columnHeaders())
        saved.setColumns(h->parent()->objectName(), h->saveState());
    saved.setView(m_tabs->currentIndex());
    if (m_service->rangeIndex() >= 0)
        saved.setServiceRange(m_service->rangeIndex());
    saved.setLogsRange(m_logs->rangeIndex());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    if (m_quitting)
        return event->accept();
    if (m_tray && m_tray->isVisible()) {
        // Monitoring goes on: the listener keeps serving and alerts keep coming.
        hide();
        event->ignore();
        if (m_settings && !WindowSettings(m_settings).trayNoticeShown()) {
            m_tray->showMessage(tr("FlowGuard keeps monitoring"),
                                tr("FlowGuard is still receiving events and will notify you of alerts. Open it from "
                                   "the tray icon; quit it from the tray menu or with Ctrl+Q."),
                                QSystemTrayIcon::Information, 10000);
            WindowSettings(m_settings).setTrayNoticeShown();
        }
        return;
    }
    // No tray to live in: closing would stop monitoring, so ask (without blocking the event loop).
    event->ignore();
    if (m_askQuit)
        return m_askQuit->raise();
    m_askQuit = new QMessageBox(QMessageBox::Question, tr("Quit FlowGuard?"),
                                tr("Closing the window stops FlowGuard: services can no longer send events to it and "
                                   "no alerts will be raised."),
                                QMessageBox::Cancel, this);
    m_askQuit->addButton(tr("&Quit"), QMessageBox::AcceptRole);
    m_askQuit->setDefaultButton(QMessageBox::Cancel);
    m_askQuit->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_askQuit, &QMessageBox::finished, this, [this](int) {
        if (m_askQuit && m_askQuit->buttonRole(m_askQuit->clickedButton()) == QMessageBox::AcceptRole)
            quit();
    });
    m_askQuit->open();
}

void MainWindow::quit()
{
    m_quitting = true;
    saveLayout();
    close();
    emit quitRequested();
}

void MainWindow::bringUp()
{
    showNormal();
    raise();
    activateWindow();
}

void MainWindow::refreshFiring()
{
    if (!m_api.ready())
        return;
    m_api.getRows(
        "/api/alerts?state=firing&limit=1000", this,
        [](int status, const QJsonObject &json) { return status == 200 ? int(json.value(QStringLiteral("items")).toArray().size()) : -1; },
        [this](int firing) {
            if (firing < 0)
                return;
            m_firing = firing;
            const QString title = m_firing ? tr("FlowGuard — %n firing alert(s)", nullptr, m_firing) : tr("FlowGuard");
            setWindowTitle(title);
            if (m_tray)
                m_tray->setToolTip(m_muted->isVisible() ? title + QLatin1Char('\n') + m_muted->text() : title);
        });
}

void MainWindow::showWorstState()
{
    if (!m_tray)
        return;
    const QList<ServiceRow> &rows = m_overview->model()->rows();
    if (rows.isEmpty())
        return m_tray->setIcon(windowIcon());
    const auto worst = std::min_element(rows.begin(), rows.end(), [](const ServiceRow &a, const ServiceRow &b) {
        return healthStateRank(a.state) < healthStateRank(b.state);
    });
    m_tray->setIcon(StatePalette::healthIcon(worst->state));
}

void MainWindow::openService(const QString &name)
{
    m_tabs->setCurrentWidget(m_service);
    m_service->showService(name);
}

void MainWindow::refreshCurrent()
{
    QWidget *current = m_tabs->currentWidget();
    if (current == m_overview)
        m_overview->refresh();
    else if (current == m_service)
        m_service->refresh();
    else if (current == m_logs)
        m_logs->search();
    else if (current == m_alertsArea && m_alertsArea->currentWidget() == m_incidents)
        m_incidents->refresh();
    else if (current == m_alertsArea)
        m_alerts->refresh();
    else if (current == m_settingsView)
        m_settingsView->refresh();
    else if (current == m_connect)
        m_connect->refresh();
}

void MainWindow::showStats(const EngineStats &s)
{
    const QLocale locale;
    m_listen->setText((s.tls ? QStringLiteral("https://") : QStringLiteral("http://")) + s.listenAddress);
    m_overview->setListenAddress(s.listenAddress, s.tls);
    m_connect->setListenAddress(s.listenAddress, s.tls);
    if (!m_clock.isValid())
        m_clock.start();
    m_ingestRate.add(s.itemsAccepted, m_clock.elapsed());
    m_rate->setText(tr("%1 items/s").arg(locale.toString(m_ingestRate.perSecond(), 'f', 0)));
    m_rate->setToolTip(tr("Accepted items per second over the last 10 seconds"));
    m_stored->setText(tr("%1 logs, %2 metric points").arg(locale.toString(s.logsStored), locale.toString(s.metricsStored)));
    m_stored->setToolTip(tr("%1 ingest requests (%2 items rejected)").arg(locale.toString(s.requests), locale.toString(s.itemsRejected)));
    m_database->setText(locale.formattedDataSize(s.dbBytes));
    // Analysis lags rather than drops: say so while detections are behind what is stored.
    QString state = tr("Ready");
    if (s.analysisWarming)
        state = tr("Detectors learning from stored history…");
    else if (s.analysisLagEvents >= kShownAnalysisLag)
        state = tr("Analysis %1 events behind").arg(locale.toString(s.analysisLagEvents));
    else if (s.queueDepth > 0)
        state = tr("Writing (%1 requests queued)").arg(s.queueDepth);
    statusBar()->showMessage(state);
}

void MainWindow::showAlert(qint64 id)
{
    bringUp();
    m_tabs->setCurrentWidget(m_alertsArea);
    m_alertsArea->setCurrentWidget(m_alerts);
    m_alerts->showAlert(id);
}

RulesView *MainWindow::rulesView() const { return m_settingsView->rules(); }

void MainWindow::openSettings()
{
    bringUp();
    m_tabs->setCurrentWidget(m_settingsView);
    m_settingsView->refresh();
}

void MainWindow::showIncident(qint64 id)
{
    bringUp();
    m_tabs->setCurrentWidget(m_alertsArea);
    m_alertsArea->setCurrentWidget(m_incidents);
    m_incidents->showIncident(id);
}

void MainWindow::openConnect()
{
    bringUp();
    m_tabs->setCurrentWidget(m_connect);
}

void MainWindow::openChannels()
{
    bringUp();
    m_tabs->setCurrentWidget(m_settingsView);
    m_settingsView->showPage(SettingsView::Channels);
}

} // namespace fg
