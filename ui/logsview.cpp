#include "logsview.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QScrollBar>
#include <QTableView>
#include <QVBoxLayout>

#include "logsmodel.h"
#include "tracedialog.h"

namespace fg {

namespace {
constexpr int kTailMs = 2000;
struct RangeChoice {
    const char *label;
    qint64 seconds; // 0: everything stored
};
constexpr RangeChoice kRanges[] = {{QT_TRANSLATE_NOOP("fg::LogsView", "Last 15 min"), 900},
                                   {QT_TRANSLATE_NOOP("fg::LogsView", "Last hour"), 3600},
                                   {QT_TRANSLATE_NOOP("fg::LogsView", "Last 24 hours"), 86400},
                                   {QT_TRANSLATE_NOOP("fg::LogsView", "Last 7 days"), 7 * 86400},
                                   {QT_TRANSLATE_NOOP("fg::LogsView", "Everything"), 0}};
} // namespace

LogsView::LogsView(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_model(new LogsModel(api, this)), m_table(new QTableView), m_service(new QComboBox),
      m_level(new QComboBox), m_text(new QLineEdit), m_range(new QComboBox), m_follow(new QCheckBox(tr("Follow"))),
      m_status(new QLabel), m_details(new QLabel)
{
    m_table->setObjectName(QStringLiteral("logsTable"));
    m_details->setObjectName(QStringLiteral("logDetails"));
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::RichText);
    m_details->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_details->setOpenExternalLinks(false);
    m_service->setEditable(true);
    m_service->setInsertPolicy(QComboBox::NoInsert);
    m_service->addItem(QString());
    m_service->lineEdit()->setPlaceholderText(tr("All services"));
    m_service->setMinimumContentsLength(14);
    m_level->addItem(tr("Any level"), QString());
    for (const char *level : {"debug", "info", "warn", "error", "fatal"})
        m_level->addItem(tr("%1 and above").arg(QString::fromLatin1(level)), QString::fromLatin1(level));
    m_text->setPlaceholderText(tr("Text in the message…"));
    m_text->setClearButtonEnabled(true);
    for (const RangeChoice &r : kRanges)
        m_range->addItem(tr(r.label));
    m_range->setCurrentIndex(2);
    m_follow->setToolTip(tr("Show new events on top as they arrive"));
    auto *go = new QPushButton(tr("Search"));
    go->setDefault(true);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_service);
    bar->addWidget(m_level);
    bar->addWidget(m_text, 1);
    bar->addWidget(m_range);
    bar->addWidget(go);
    bar->addWidget(m_follow);

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setShowGrid(false);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    QHeaderView *header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    // Fixed widths from the font: ResizeToContents would measure every row of every page.
    m_table->setColumnWidth(LogsModel::Time, fontMetrics().horizontalAdvance(QStringLiteral("0000-00-00 00:00:00.000")) + 16);
    m_table->setColumnWidth(LogsModel::Service, fontMetrics().horizontalAdvance(QStringLiteral("payments-service")) + 16);
    m_table->setColumnWidth(LogsModel::Level, fontMetrics().horizontalAdvance(QStringLiteral("CRITICAL")) + 20);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_details);
    layout->addWidget(m_status);

    connect(go, &QPushButton::clicked, this, &LogsView::search);
    connect(m_text, &QLineEdit::returnPressed, this, &LogsView::search);
    connect(m_service->lineEdit(), &QLineEdit::returnPressed, this, &LogsView::search);
    connect(m_service, &QComboBox::activated, this, &LogsView::search);
    connect(m_level, &QComboBox::activated, this, &LogsView::search);
    connect(m_range, &QComboBox::activated, this, &LogsView::search);
    connect(m_follow, &QCheckBox::toggled, this, &LogsView::setFollow);
    connect(m_model, &LogsModel::pageLoaded, this, &LogsView::updateStatus);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LogsView::showDetails);
    connect(m_details, &QLabel::linkActivated, this, [this](const QString &link) {
        if (link.startsWith(QLatin1String("trace:")))
            openTrace(link.mid(6));
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first) {
        if (m_follow->isChecked() && first == 0)
            m_table->scrollToTop();
    });
    m_tail.setInterval(kTailMs);
    connect(&m_tail, &QTimer::timeout, this, [this] {
        if (isVisible())
            m_model->pollNewest();
    });
}

void LogsView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    reloadServices();
    if (!m_searched)
        search();
}

void LogsView::reloadServices()
{
    m_api->get("/api/services", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return;
        const QString current = m_service->currentText();
        QStringList names{QString()};
        for (const QJsonValue &v : json.value(QStringLiteral("items")).toArray())
            names << v[QStringLiteral("name")].toString();
        QStringList have;
        for (int i = 0; i < m_service->count(); ++i)
            have << m_service->itemText(i);
        if (have == names)
            return;
        const QSignalBlocker block(m_service);
        m_service->clear();
        m_service->addItems(names);
        m_service->setCurrentText(current);
    });
}

int LogsView::rangeIndex() const { return m_range->currentIndex(); }

void LogsView::setRangeIndex(int index)
{
    if (index >= 0 && index < m_range->count())
        m_range->setCurrentIndex(index);
}

void LogsView::showService(const QString &service)
{
    m_service->setCurrentText(service);
    search();
}

void LogsView::search()
{
    if (!m_api->ready())
        return;
    m_searched = true;
    LogSearch s;
    s.service = m_service->currentText().trimmed();
    s.minLevel = m_level->currentData().toString();
    s.text = m_text->text().trimmed();
    const qint64 seconds = kRanges[qBound(0, m_range->currentIndex(), int(std::size(kRanges)) - 1)].seconds;
    if (seconds > 0)
        s.from = QDateTime::currentDateTimeUtc().addSecs(-seconds);
    m_status->setText(tr("Searching…"));
    m_model->search(s);
}

void LogsView::focusSearch()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

void LogsView::setFollow(bool on)
{
    if (m_follow->isChecked() != on)
        m_follow->setChecked(on); // comes back here through toggled
    else if (on)
        m_tail.start();
    else
        m_tail.stop();
    if (on)
        m_table->scrollToTop();
}

void LogsView::showDetails()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid() || current.row() >= m_model->rowCount())
        return m_details->clear();
    const LogRow &r = m_model->row(current.row());
    QString html = r.message.toHtmlEscaped();
    if (!r.traceId.isEmpty())
        html += QStringLiteral("<br>") + tr("Trace: %1 — show its other events")
                                            .arg(QStringLiteral("<a href=\"trace:%1\">%1</a>").arg(r.traceId.toHtmlEscaped()));
    m_details->setText(html);
}

void LogsView::openTrace(const QString &traceId)
{
    auto *dialog = new TraceDialog(m_api, traceId, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void LogsView::updateStatus()
{
    if (!m_model->lastError().isEmpty())
        return m_status->setText(m_model->lastError());
    const QString count = QLocale().toString(m_model->rowCount());
    if (m_model->rowCount() == 0)
        m_status->setText(tr("No stored events match."));
    else if (m_model->hasMore())
        m_status->setText(tr("%1 events shown, newest first; scroll down for older ones").arg(count));
    else
        m_status->setText(tr("%1 events, newest first").arg(count));
}

} // namespace fg
