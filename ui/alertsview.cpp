#include "alertsview.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QLabel>
#include <QProgressDialog>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "acknowledgedialog.h"
#include "alertsmodel.h"
#include "timetext.h"

namespace fg {

AlertsView::AlertsView(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_model(new AlertsModel(this)), m_table(new QTableView), m_details(new QTextBrowser),
      m_state(new QComboBox), m_status(new QLabel)
{
    m_state->addItem(tr("Open"), QStringLiteral("open"));
    m_state->addItem(tr("All"), QString());
    m_state->addItem(tr("Firing"), QStringLiteral("firing"));
    m_state->addItem(tr("Resolved"), QStringLiteral("resolved"));
    m_ack = new QPushButton(tr("Acknowledge…"));
    auto *ack = m_ack;
    ack->setEnabled(false); // nothing selected yet
    auto *test = new QPushButton(tr("Send test alert"));
    auto *exportButton = new QPushButton(tr("Export CSV…"));
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Show:")));
    bar->addWidget(m_state);
    bar->addStretch();
    bar->addWidget(m_status);
    bar->addWidget(ack);
    bar->addWidget(test);
    bar->addWidget(exportButton);

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("alertsSplit"));
    split->addWidget(m_table);
    split->addWidget(m_details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split);

    connect(m_state, &QComboBox::currentIndexChanged, this, &AlertsView::refresh);
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
    m_timer.setInterval(5000);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (isVisible()) // hidden views do not refresh
            refresh();
    });
    m_timer.start();
}

void AlertsView::refresh()
{
    QByteArray target = "/api/alerts?limit=500";
    const QString state = m_state->currentData().toString();
    if (!state.isEmpty())
        target += "&state=" + state.toUtf8();
    m_api->get(target, this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200) {
            m_status->setText(ApiClient::errorText(json));
            return;
        }
        const qint64 keep = m_pendingShow ? m_pendingShow : selectedId();
        m_model->setAlerts(json.value(QStringLiteral("items")).toArray());
        m_status->setText(tr("%n alert(s)", nullptr, m_model->rowCount()));
        if (const int row = m_model->rowOf(keep); row >= 0) {
            m_table->selectRow(row);
            m_pendingShow = 0;
        }
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
    if (m_state->currentIndex() != 1)
        m_state->setCurrentIndex(1); // all: a resolved alert must show too (refreshes)
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
    const QString name = m_acknowledger.isEmpty() ? qEnvironmentVariable("USER") : m_acknowledger;
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
    const QStringList ranges{tr("Last 24 hours"), tr("Last 7 days"), tr("Last 30 days"), tr("Everything")};
    bool ok = false;
    const QString choice = QInputDialog::getItem(this, tr("Export alerts"), tr("Range:"), ranges, 1, false, &ok);
    if (!ok)
        return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export alerts"), QStringLiteral("flowguard-alerts.csv"),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    static const char *kRanges[] = {"24h", "7d", "30d", ""};
    exportCsv(path, QString::fromLatin1(kRanges[ranges.indexOf(choice)]));
}

void AlertsView::exportCsv(const QString &path, const QString &range)
{
    // The report is built off the GUI thread; the dialog shows that work is going on and lets the user
    // walk away from it.
    auto *progress = new QProgressDialog(tr("Exporting alerts…"), tr("Cancel"), 0, 0, this);
    progress->setWindowModality(Qt::WindowModal);
    progress->setMinimumDuration(300);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    QByteArray target = "/api/alerts/export.csv";
    if (!range.isEmpty())
        target += "?range=" + range.toUtf8();
    m_api->get(target, progress, [this, path, progress](int status, const QJsonObject &json, const QByteArray &raw) {
        progress->close();
        if (status != 200)
            return emit exportFinished(false, ApiClient::errorText(json));
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(raw) != raw.size() || !file.commit())
            return emit exportFinished(false, tr("Cannot write %1: %2").arg(path, file.errorString()));
        const int rows = int(raw.count("\r\n")) - 1;
        m_status->setText(tr("Exported %n alert(s)", nullptr, rows));
        emit exportFinished(true, path);
    });
}

} // namespace fg
