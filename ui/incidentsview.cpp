#include "incidentsview.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>

#include "acknowledgedialog.h"
#include "incidentsmodel.h"
#include "silencedialog.h"

namespace fg {

namespace {
constexpr int kPollMs = 5000;
constexpr int kCoalesceMs = 150;
constexpr int kListLimit = 200;

// Answers of several requests sent for one action, counted down to one report.
struct Batch {
    int remaining = 0;
    int ok = 0;
    QStringList errors;
};
} // namespace

IncidentsView::IncidentsView(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_model(new IncidentsModel(this)), m_tree(new QTreeView), m_details(new QTextBrowser),
      m_state(new QComboBox), m_status(new QLabel), m_ack(new QPushButton(tr("Acknowledge…"))),
      m_silence(new QPushButton(tr("Silence…")))
{
    m_state->addItem(tr("Open"), QStringLiteral("open"));
    m_state->addItem(tr("All"), QString());
    m_state->addItem(tr("Closed"), QStringLiteral("closed"));
    m_ack->setToolTip(tr("Acknowledge every open alert of the selected incidents"));
    m_silence->setToolTip(tr("Silence the selected incidents' services for a while"));
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Show:")));
    bar->addWidget(m_state);
    bar->addStretch();
    bar->addWidget(m_status);
    bar->addWidget(m_ack);
    bar->addWidget(m_silence);

    m_tree->setObjectName(QStringLiteral("incidentsTree"));
    m_tree->setModel(m_model);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->header()->setStretchLastSection(true);
    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("incidentsSplit"));
    split->addWidget(m_tree);
    split->addWidget(m_details);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(split);

    // A new open incident shows its alerts at once.
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent, int first, int last) {
        if (parent.isValid())
            return;
        for (int row = first; row <= last; ++row)
            if (m_model->incidents().at(row).state == QLatin1String("open"))
                m_tree->expand(m_model->index(row, 0));
    });
    connect(m_state, &QComboBox::currentIndexChanged, this, &IncidentsView::refresh);
    connect(m_ack, &QPushButton::clicked, this, &IncidentsView::askAndAcknowledge);
    connect(m_silence, &QPushButton::clicked, this, &IncidentsView::askAndSilence);
    connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this, &IncidentsView::updateActions);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &IncidentsView::showCurrent);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from) {
        if (!from.parent().isValid() && from.row() == m_tree->currentIndex().row() && from.column() == 0)
            showCurrent();
    });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &IncidentsView::updateActions);
    updateActions();

    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(kCoalesceMs);
    connect(&m_coalesce, &QTimer::timeout, this, &IncidentsView::fetch);
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &IncidentsView::refresh);
    m_poll.start();
}

void IncidentsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
}

void IncidentsView::refresh()
{
    if (isVisible() && !m_coalesce.isActive())
        m_coalesce.start();
}

void IncidentsView::fetch()
{
    if (!isVisible())
        return; // hidden views do not refresh; showing it asks again
    if (m_inFlight) {
        m_again = true;
        return;
    }
    m_inFlight = true;
    QByteArray target = "/api/incidents?limit=" + QByteArray::number(kListLimit);
    const QString state = m_state->currentData().toString();
    if (!state.isEmpty())
        target += "&state=" + state.toUtf8();
    struct Answer {
        int status = 0;
        QString error;
        QList<IncidentRow> rows;
    };
    m_api->getRows(
        target, this,
        [](int status, const QJsonObject &json) {
            return status == 200 ? Answer{status, QString(), IncidentsModel::parse(json.value(QStringLiteral("items")).toArray())}
                                 : Answer{status, ApiClient::errorText(json), {}};
        },
        [this](Answer answer) {
            m_inFlight = false;
            if (answer.status != 200) {
                m_status->setText(answer.error);
            } else {
                m_model->setIncidents(std::move(answer.rows));
                if (const int row = m_pendingShow ? m_model->rowOf(m_pendingShow) : -1; row >= 0) {
                    m_pendingShow = 0;
                    m_tree->setCurrentIndex(m_model->index(row, 0));
                    m_tree->selectionModel()->select(m_model->index(row, 0),
                                                     QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
                    m_tree->expand(m_model->index(row, 0));
                    m_tree->scrollTo(m_model->index(row, 0));
                }
                updateActions();
                emit refreshed();
            }
            if (m_again) {
                m_again = false;
                refresh();
            }
        });
}

QList<qint64> IncidentsView::selectedIncidents() const
{
    QList<qint64> ids;
    for (const QModelIndex &index : m_tree->selectionModel()->selectedRows())
        if (const IncidentRow *incident = m_model->incidentAt(index); incident && !ids.contains(incident->id))
            ids.append(incident->id);
    std::sort(ids.begin(), ids.end(), [this](qint64 a, qint64 b) { return m_model->rowOf(a) < m_model->rowOf(b); });
    return ids;
}

QString IncidentsView::message() const { return m_status->text(); }

void IncidentsView::showIncident(qint64 id)
{
    m_pendingShow = id;
    if (id && m_state->currentData().toString() == QLatin1String("closed"))
        m_state->setCurrentIndex(m_state->findData(QString())); // all: it may have closed since
    refresh();
}

void IncidentsView::updateActions()
{
    const bool any = m_tree->selectionModel()->hasSelection();
    m_ack->setEnabled(any);
    m_silence->setEnabled(any);
    if (!any)
        m_status->setText(tr("%n incident(s)", nullptr, m_model->rowCount()));
}

void IncidentsView::showCurrent()
{
    const IncidentRow *incident = m_model->incidentAt(m_tree->currentIndex());
    m_details->setPlainText(incident ? incident->explanation : QString());
}

void IncidentsView::rememberName(const QString &name)
{
    if (name == m_acknowledger)
        return;
    m_acknowledger = name;
    emit acknowledgerChanged(name);
}

void IncidentsView::askAndAcknowledge()
{
    const QList<qint64> ids = selectedIncidents();
    if (ids.isEmpty())
        return;
    // The dialog names what is acknowledged: each incident (the first few) and how many of its alerts.
    QStringList lines;
    for (const qint64 id : ids.mid(0, 5)) {
        const IncidentRow &i = m_model->incidents().at(m_model->rowOf(id));
        const int waiting = int(std::count_if(i.alerts.begin(), i.alerts.end(),
                                              [](const IncidentAlertRow &a) { return a.awaitsAcknowledgement(); }));
        lines << tr("#%1 %2 — %3 (%n open alert(s))", nullptr, waiting).arg(i.id).arg(i.service, i.title);
    }
    if (ids.size() > 5)
        lines << tr("and %n more incident(s)", nullptr, int(ids.size() - 5));
    auto *dialog = new AcknowledgeDialog(lines.join(QLatin1Char('\n')),
                                         m_acknowledger.isEmpty() ? AcknowledgeDialog::loginName() : m_acknowledger, this);
    dialog->setWindowTitle(tr("Acknowledge %n incident(s)", nullptr, int(ids.size())));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        rememberName(dialog->name());
        acknowledgeSelected(dialog->name(), dialog->note());
    });
    dialog->open();
}

void IncidentsView::acknowledgeSelected(const QString &by, const QString &note)
{
    QList<qint64> alerts;
    const QList<qint64> ids = selectedIncidents();
    for (const qint64 id : ids)
        for (const IncidentAlertRow &a : m_model->incidents().at(m_model->rowOf(id)).alerts)
            if (a.awaitsAcknowledgement())
                alerts.append(a.id);
    if (alerts.isEmpty()) {
        m_status->setText(tr("Nothing to acknowledge: every open alert of the selection already is"));
        return;
    }
    auto batch = std::make_shared<Batch>();
    batch->remaining = int(alerts.size());
    const QJsonObject body{{QStringLiteral("by"), by}, {QStringLiteral("note"), note}};
    for (const qint64 id : alerts)
        m_api->send("POST", "/api/alerts/" + QByteArray::number(id) + "/acknowledge", body, this,
                    [this, batch](int status, const QJsonObject &json, const QByteArray &) {
                        if (status == 200)
                            ++batch->ok;
                        else
                            batch->errors << ApiClient::errorText(json);
                        if (--batch->remaining > 0)
                            return;
                        m_status->setText(batch->errors.isEmpty()
                                              ? tr("Acknowledged %n alert(s)", nullptr, batch->ok)
                                              : batch->errors.join(QStringLiteral("; ")));
                        emit acknowledged(batch->ok);
                        refresh();
                    });
}

void IncidentsView::askAndSilence()
{
    QStringList services;
    for (const qint64 id : selectedIncidents())
        if (const QString &s = m_model->incidents().at(m_model->rowOf(id)).service; !services.contains(s))
            services << s;
    if (services.isEmpty())
        return;
    auto *dialog = new SilenceDialog(services, m_acknowledger.isEmpty() ? AcknowledgeDialog::loginName() : m_acknowledger, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        rememberName(dialog->name());
        silenceSelected(dialog->minutes(), dialog->name(), dialog->comment());
    });
    dialog->open();
}

void IncidentsView::silenceSelected(int minutes, const QString &by, const QString &comment)
{
    QStringList services;
    for (const qint64 id : selectedIncidents())
        if (const QString &s = m_model->incidents().at(m_model->rowOf(id)).service; !services.contains(s))
            services << s;
    if (services.isEmpty() || minutes <= 0)
        return;
    auto batch = std::make_shared<Batch>();
    batch->remaining = int(services.size());
    for (const QString &service : services)
        m_api->send("POST", "/api/silences",
                    QJsonObject{{QStringLiteral("service"), service},
                                {QStringLiteral("duration"), QStringLiteral("%1m").arg(minutes)},
                                {QStringLiteral("created_by"), by},
                                {QStringLiteral("comment"), comment}},
                    this, [this, batch](int status, const QJsonObject &json, const QByteArray &) {
                        if (status == 201)
                            ++batch->ok;
                        else
                            batch->errors << ApiClient::errorText(json);
                        if (--batch->remaining > 0)
                            return;
                        m_status->setText(batch->errors.isEmpty() ? tr("Silenced %n service(s)", nullptr, batch->ok)
                                                                  : batch->errors.join(QStringLiteral("; ")));
                        emit silenced(batch->ok);
                        refresh();
                    });
}

} // namespace fg
