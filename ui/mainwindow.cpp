#include "mainwindow.h"

#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QStatusBar>

namespace fg {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_listen(new QLabel), m_rate(new QLabel), m_logs(new QLabel), m_metrics(new QLabel),
      m_requests(new QLabel), m_database(new QLabel)
{
    setWindowTitle(tr("FlowGuard"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/flowguard.png")));
    auto *central = new QWidget(this);
    auto *form = new QFormLayout(central);
    m_listen->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Listening on:"), m_listen);
    form->addRow(tr("Ingest rate:"), m_rate);
    form->addRow(tr("Stored log events:"), m_logs);
    form->addRow(tr("Stored metric points:"), m_metrics);
    form->addRow(tr("Ingest requests:"), m_requests);
    form->addRow(tr("Database size:"), m_database);
    setCentralWidget(central);
    statusBar()->showMessage(tr("Starting…"));
    resize(520, 260);
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

} // namespace fg
