#include "mainwindow.h"

#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>

#include "alertsview.h"
#include "channelsdialog.h"
#include "rulesview.h"

namespace fg {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_tabs(new QTabWidget), m_listen(new QLabel), m_rate(new QLabel), m_logs(new QLabel),
      m_metrics(new QLabel), m_requests(new QLabel), m_database(new QLabel), m_alerts(new AlertsView(&m_api)),
      m_rules(new RulesView(&m_api))
{
    setWindowTitle(tr("FlowGuard"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/flowguard.png")));
    auto *overview = new QWidget;
    auto *form = new QFormLayout(overview);
    m_listen->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Listening on:"), m_listen);
    form->addRow(tr("Ingest rate:"), m_rate);
    form->addRow(tr("Stored log events:"), m_logs);
    form->addRow(tr("Stored metric points:"), m_metrics);
    form->addRow(tr("Ingest requests:"), m_requests);
    form->addRow(tr("Database size:"), m_database);
    m_tabs->addTab(overview, tr("Overview"));
    m_tabs->addTab(m_alerts, tr("Alerts"));
    m_tabs->addTab(m_rules, tr("Rules"));
    setCentralWidget(m_tabs);
    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    settings->addAction(tr("Notification &channels…"), this, &MainWindow::openChannels);
    statusBar()->showMessage(tr("Starting…"));
    resize(960, 600);
}

void MainWindow::setApi(ApiClient::Transport transport)
{
    m_api.setTransport(std::move(transport));
    m_alerts->refresh();
    m_rules->reload();
}

void MainWindow::showStats(const EngineStats &s)
{
    const QLocale locale;
    m_listen->setText(QStringLiteral("http://%1").arg(s.listenAddress));
    m_rate->setText(tr("%1 items/s").arg(locale.toString(s.itemsPerSecond, 'f', 0)));
    m_logs->setText(locale.toString(s.logsStored));
    m_metrics->setText(locale.toString(s.metricsStored));
    m_requests->setText(tr("%1 (%2 items rejected)").arg(locale.toString(s.requests), locale.toString(s.itemsRejected)));
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
