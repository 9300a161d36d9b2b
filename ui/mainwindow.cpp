#include "mainwindow.h"

#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>

#include "alertsview.h"
#include "channelsdialog.h"
#include "rulesview.h"
#include "servicesoverview.h"

namespace fg {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_tabs(new QTabWidget), m_listen(new QLabel), m_rate(new QLabel), m_stored(new QLabel),
      m_database(new QLabel), m_overview(new ServicesOverview(&m_api)), m_alerts(new AlertsView(&m_api)),
      m_rules(new RulesView(&m_api))
{
    setWindowTitle(tr("FlowGuard"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/flowguard.png")));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_overview, tr("Services"));
    m_tabs->addTab(m_alerts, tr("Alerts"));
    m_tabs->addTab(m_rules, tr("Rules"));
    setCentralWidget(m_tabs);
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
    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    settings->addAction(tr("Notification &channels…"), this, &MainWindow::openChannels);
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
