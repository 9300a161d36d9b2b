#include "mainwindow.h"

#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>

#include "alertsview.h"
#include "channelsdialog.h"
#include "logsview.h"
#include "rulesview.h"
#include "servicesoverview.h"
#include "serviceview.h"

namespace fg {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_tabs(new QTabWidget), m_listen(new QLabel), m_rate(new QLabel), m_stored(new QLabel),
      m_database(new QLabel), m_overview(new ServicesOverview(&m_api)), m_service(new ServiceView(&m_api)), m_logs(new LogsView(&m_api)), m_alerts(new AlertsView(&m_api)),
      m_rules(new RulesView(&m_api))
{
    setWindowTitle(tr("FlowGuard"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/flowguard.png")));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_overview, tr("Services"));
    m_tabs->addTab(m_service, tr("Service"));
    m_tabs->addTab(m_logs, tr("Logs"));
    m_tabs->addTab(m_alerts, tr("Alerts"));
    m_tabs->addTab(m_rules, tr("Rules"));
    setCentralWidget(m_tabs);
    connect(m_overview, &ServicesOverview::openService, this, &MainWindow::openService);
    buildMenus();
    m_listen->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_listen->setToolTip(tr("The listener your services send their logs and metrics to"));
    for (QLabel *l : {m_listen, m_rate, m_stored, m_database})
        statusBar()->addPermanentWidget(l);
    statusBar()->showMessage(tr("Starting…"));
    resize(1100, 680);
}

void MainWindow::buildMenus()
{
    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < m_tabs->count(); ++i) {
        QAction *go = view->addAction(m_tabs->tabText(i), this, [this, i] { m_tabs->setCurrentIndex(i); });
        go->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    view->addSeparator();
    view->addAction(tr("&Refresh"), QKeySequence::Refresh, this, &MainWindow::refreshCurrent);
    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    settings->addAction(tr("Notification &channels…"), this, &MainWindow::openChannels);
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
    else if (current == m_alerts)
        m_alerts->refresh();
    else if (current == m_rules)
        m_rules->reload();
}

void MainWindow::setApi(ApiClient::Transport transport)
{
    m_api.setTransport(std::move(transport));
    m_overview->refresh();
    m_alerts->refresh();
    m_rules->reload();
}

void MainWindow::showStats(const EngineStats &s)
{
    const QLocale locale;
    m_listen->setText(QStringLiteral("http://%1").arg(s.listenAddress));
    m_overview->setListenAddress(s.listenAddress);
    m_rate->setText(tr("%1 items/s").arg(locale.toString(s.itemsPerSecond, 'f', 0)));
    m_stored->setText(tr("%1 logs, %2 metric points").arg(locale.toString(s.logsStored), locale.toString(s.metricsStored)));
    m_stored->setToolTip(tr("%1 ingest requests (%2 items rejected)").arg(locale.toString(s.requests), locale.toString(s.itemsRejected)));
    m_database->setText(locale.formattedDataSize(s.dbBytes));
    statusBar()->showMessage(s.queueDepth > 0 ? tr("Writing (%1 requests queued)").arg(s.queueDepth) : tr("Ready"));
}

void MainWindow::showAlert(qint64 id)
{
    showNormal();
    raise();
    activateWindow();
    m_tabs->setCurrentWidget(m_alerts);
    m_alerts->showAlert(id);
}

void MainWindow::openChannels()
{
    auto *dialog = new ChannelsDialog(&m_api, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

} // namespace fg
