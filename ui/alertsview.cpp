#include "alertsview.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPointer>
#include <QProgressDialog>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "acknowledgedialog.h"
#include "alertcsvexport.h"
#include "alertfilterbar.h"
#include "alerthistorychart.h"
#include "alertsmodel.h"
#include "evidencechart.h"
#include "timetext.h"

namespace fg {

namespace {
constexpr int kPollMs = 5000;
constexpr int kCoalesceMs = 150;
constexpr int kTableLimit = 500;
} // namespace

AlertsView::AlertsView(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_model(new AlertsModel(this)), m_table(new QTableView), m_details(new QTextBrowser),
      m_filters(new AlertFilterBar), m_chart(new AlertHistoryChart), m_evidence(new EvidenceChart(api)), m_status(new QLabel)
{
    m_ack = new QPushButton(tr("Acknowledge…"));
    auto *ack = m_ack;
    ack->setEnabled(false); // nothing selected yet
    auto *test = new QPushButton(tr("Send test alert"));
    auto *exportButton = new QPushButton(tr("Export CSV…"));
    exportButton->setToolTip(tr("Export every alert the filters show"));
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_status);
    bar->addStretch();
    bar->addWidget(ack);
    bar->addWidget(test);
    bar->addWidget(exportButton);

    m_table->setObjectName(QStringLiteral("alertsTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    // One line per alert, columns as wide as their contents (at most 500 rows are loaded).
    m_table->setWordWrap(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("alertsSplit"));
    split->addWidget(m_chart);
    split->addWidget(m_table);
    auto *detailPane = new QWidget;
    auto *detailLayout = new QHBoxLayout(detailPane); // the evidence beside the words: both keep their height
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_details, 1);
    detailLayout->addWidget(m_evidence, 1);
    split->addWidget(detailPane);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setStretchFactor(2, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_filters);
    layout->addLayout(bar);
    layout->addWidget(split);

    connect(m_filters, &AlertFilterBar::changed, this, &AlertsView::refresh);
    connect(ack, &QPushButton::clicked, this, &AlertsView::askAndAcknowledge);
    connect(test, &QPushButton::clicked, this, &AlertsView::sendTestAlert);
    connect(exportButton, &QPushButton::clicked, this, &AlertsView::chooseAndExport);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    loadDetails(m_model->alertAt(current.row()).id);
                updateActions();
            });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &AlertsView::updateActions);
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(kCoalesceMs);
    connect(&m_coalesce, &QTimer::timeout, this, &AlertsView::fetch);
    m_timer.setInterval(kPollMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (isVisible()) // hidden views do not refresh
            refresh();
    });
    m_timer.start();
}

void AlertsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
}

void AlertsView::refresh()
{
    if (!m_coalesce.isActive())
        m_coalesce.start();
}

void AlertsView::fetch()
{
    if (m_inFlight) {
        m_again = true;
        return;
    }
    m_inFlight = true;
    const QByteArray query = m_filters->filter().query();
    QByteArray target = "/api/alerts?limit=" + QByteArray::number(kTableLimit);
    if (!query.isEmpty())
        target += '&' + query;
    struct Answer {
        int status = 0;
        QString error;
        QList<AlertRow> rows;
    };
    m_api->getRows(
        target, this,
        [](int status, const QJsonObject &json) {
            return status == 200 ? Answer{status, QString(), AlertsModel::parse(json.value(QStringLiteral("items")).toArray())}
                                 : Answer{status, ApiClient::errorText(json), {}};
        },
        [this](Answer answer) {
            m_inFlight = false;
            if (answer.status != 200) {
                m_status->setText(answer.error);
            } else {
                const qint64 keep = m_pendingShow ? m_pendingShow : selectedId();
                m_model->setAlerts(std::move(answer.rows));
                QStringList services;
                for (const AlertRow &a : m_model->rows())
                    if (!services.contains(a.service))
                        services << a.service;
                m_filters->addServices(services);
                m_status->setText(m_model->rowCount() == kTableLimit ? tr("The newest %n alert(s)", nullptr, kTableLimit)
                                                                     : tr("%n alert(s)", nullptr, m_model->rowCount()));
                if (const int row = m_model->rowOf(keep); row >= 0) {
                    if (m_table->currentIndex().row() != row)
                        m_table->selectRow(row);
                    m_pendingShow = 0;
                }
                emit refreshed();
            }
            if (m_again) {
                m_again = false;
                refresh();
            }
        });
    fetchChart(query);
}

void AlertsView::fetchChart(const QByteArray &query)
{
    const AlertFilter filter = m_filters->filter();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime from = filter.windowFrom(now), to = filter.windowTo(now);
    const qint64 step = AlertHistoryChart::stepFor(from.isValid() ? from.secsTo(to) : 0);
    QByteArray target = "/api/alerts/histogram?step=" + QByteArray::number(step) + 's';
    if (!query.isEmpty())
        target += '&' + query;
    m_api->get(target, this, [this, from, to, step](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return;
        QList<AlertHistoryChart::Bucket> buckets;
        for (const QJsonValue &v : json.value(QStringLiteral("items")).toArray()) {
            const QJsonObject o = v.toObject();
            AlertHistoryChart::Bucket b;
            b.at = apiTime(o.value(QStringLiteral("at")).toString());
            for (std::size_t i = 0; i < AlertHistoryChart::kLevels.size(); ++i)
                b.counts[i] = o.value(QString::fromLatin1(AlertHistoryChart::kLevels[i])).toInt();
            buckets.append(b);
        }
        m_chart->setBuckets(from, to, step, buckets);
        emit chartRefreshed();
    });
}

qint64 AlertsView::selectedId() const
{
    const QModelIndex current = m_table->currentIndex();
    return current.isValid() ? m_model->alertAt(current.row()).id : 0;
}

void AlertsView::showAlert(qint64 id)
{
    m_pendingShow = id;
    if (!m_filters->filter().state.isEmpty())
        m_filters->setState(QString()); // all: a resolved alert must show too (refreshes)
    else
        refresh();
    loadDetails(id);
}

void AlertsView::loadDetails(qint64 id)
{
    m_api->get("/api/alerts/" + QByteArray::number(id), this, [this](int status, const QJsonObject &a, const QByteArray &) {
        if (status != 200) {
            m_details->setPlainText(ApiClient::errorText(a));
            return;
        }
        m_evidence->showAlert(a);
        QString html = QStringLiteral("<h3>%1 — %2</h3><p>%3</p>")
                           .arg(a.value(QStringLiteral("service")).toString().toHtmlEscaped(),
                                a.value(QStringLiteral("reason")).toString().toHtmlEscaped(),
                                a.value(QStringLiteral("explanation")).toString().toHtmlEscaped());
        if (!a.value(QStringLiteral("acknowledged_by")).isNull())
            html += tr("<p>Acknowledged by %1: %2</p>")
                        .arg(a.value(QStringLiteral("acknowledged_by")).toString().toHtmlEscaped(),
                             a.value(QStringLiteral("ack_note")).toString().toHtmlEscaped());
        html += tr("<h4>History</h4><ul>");
        for (const QJsonValue &v : a.value(QStringLiteral("history")).toArray()) {
            const QJsonObject t = v.toObject();
            html += QStringLiteral("<li>%1 → %2: %3</li>")
                        .arg(localTime(apiTime(t.value(QStringLiteral("at")).toString())), t.value(QStringLiteral("to")).toString(),
                             t.value(QStringLiteral("reason")).toString().toHtmlEscaped());
        }
        html += tr("</ul><h4>Notifications</h4><ul>");
        for (const QJsonValue &v : a.value(QStringLiteral("deliveries")).toArray()) {
            const QJsonObject d = v.toObject();
            html += QStringLiteral("<li>%1 (%2): %3 %4</li>")
                        .arg(d.value(QStringLiteral("channel")).toString().toHtmlEscaped(), d.value(QStringLiteral("kind")).toString(),
                             d.value(QStringLiteral("state")).toString(),
                             d.value(QStringLiteral("last_error")).toString().toHtmlEscaped());
        }
        m_details->setHtml(html + QStringLiteral("</ul>"));
    });
}

void AlertsView::updateActions()
{
    m_ack->setEnabled(selectedId() != 0);
}

void AlertsView::askAndAcknowledge()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const AlertRow &a = m_model->alertAt(current.row());
    const QString title = tr("#%1 %2 — %3").arg(a.id).arg(a.service, a.reason);
    const QString name = m_acknowledger.isEmpty() ? AcknowledgeDialog::loginName() : m_acknowledger;
    auto *dialog = new AcknowledgeDialog(title, name, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog->name() != m_acknowledger) {
            m_acknowledger = dialog->name();
            emit acknowledgerChanged(m_acknowledger);
        }
        acknowledgeSelected(dialog->name(), dialog->note());
    });
    dialog->open();
}

void AlertsView::acknowledgeSelected(const QString &by, const QString &note)
{
    const qint64 id = selectedId();
    if (!id)
        return;
    m_api->send("POST", "/api/alerts/" + QByteArray::number(id) + "/acknowledge",
                QJsonObject{{QStringLiteral("by"), by}, {QStringLiteral("note"), note}}, this,
                [this, id](int status, const QJsonObject &json, const QByteArray &) {
                    m_status->setText(status == 200 ? tr("Acknowledged") : ApiClient::errorText(json));
                    if (status == 200) {
                        emit acknowledged(id);
                        refresh();
                        loadDetails(id);
                    }
                });
}

void AlertsView::sendTestAlert()
{
    m_api->send("POST", "/api/test-alert", QJsonObject{{QStringLiteral("service"), QStringLiteral("flowguard")}}, this,
                [this](int status, const QJsonObject &json, const QByteArray &) {
                    m_status->setText(status == 202 ? tr("Test alert sent to every enabled channel") : ApiClient::errorText(json));
                    refresh();
                });
}

void AlertsView::chooseAndExport()
{
    const QString folder = m_exportFolder.isEmpty() ? QDir::homePath() : m_exportFolder;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export alerts"), QDir(folder).filePath(QStringLiteral("flowguard-alerts.csv")),
                                                      tr("CSV files (*.csv)"));
    if (!path.isEmpty())
        exportCsv(path);
}

void AlertsView::exportCsv(const QString &path)
{
    if (const QString folder = QFileInfo(path).absolutePath(); folder != m_exportFolder) {
        m_exportFolder = folder;
        emit exportFolderChanged(folder);
    }
    auto *job = new AlertCsvExport(m_api, m_filters->filter().query(), path, AlertCsvExport::kPageRows, this);
    QPointer<QProgressDialog> progress = new QProgressDialog(tr("Exporting alerts…"), tr("Cancel"), 0, 0, this);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    connect(progress, &QProgressDialog::canceled, job, &AlertCsvExport::cancel);
    connect(job, &AlertCsvExport::progress, progress, [progress](int rows) {
        if (progress)
            progress->setLabelText(tr("Exporting alerts… %n written", nullptr, rows));
    });
    connect(job, &AlertCsvExport::finished, this, [this, job, progress](bool ok, const QString &message) {
        if (progress) {
            progress->disconnect(job);
            progress->close();
        }
        m_status->setText(ok ? tr("Exported %n alert(s)", nullptr, job->rows()) : message);
        job->deleteLater();
        emit exportFinished(ok, message);
    });
    job->start();
}

} // namespace fg
