#include "connectpanel.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHostInfo>
#include <QJsonArray>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "rejectionsmodel.h"
#include "statepalette.h"
#include "timetext.h"

namespace fg {

namespace {
constexpr int kRefreshMs = 2000;
}

ConnectPanel::ConnectPanel(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_formats(clientFormats()), m_list(new QListWidget), m_title(new QLabel),
      m_description(new QLabel), m_snippet(new QPlainTextEdit), m_progress(new QLabel), m_table(new QTableView),
      m_noRejections(new QLabel(tr("No request has been refused since FlowGuard started."))),
      m_rejections(new RejectionsModel(this))
{
    m_list->setObjectName(QStringLiteral("clientFormats"));
    for (const ClientFormat &f : m_formats) {
        auto *item = new QListWidgetItem(f.title, m_list);
        item->setData(Qt::UserRole, f.id);
    }
    QFont title = m_title->font();
    title.setBold(true);
    m_title->setFont(title);
    m_description->setWordWrap(true);
    m_snippet->setReadOnly(true);
    m_snippet->setObjectName(QStringLiteral("snippet"));
    m_snippet->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_snippet->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    auto *copy = new QPushButton(tr("Copy"));
    copy->setToolTip(tr("Copy the snippet to the clipboard"));
    auto *snippetRow = new QHBoxLayout;
    snippetRow->addWidget(m_progress, 1);
    snippetRow->addWidget(copy);
    auto *detail = new QWidget;
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->addWidget(m_title);
    detailLayout->addWidget(m_description);
    detailLayout->addWidget(m_snippet, 1);
    detailLayout->addLayout(snippetRow);
    auto *top = new QSplitter(Qt::Horizontal);
    top->setObjectName(QStringLiteral("connectSplitter"));
    top->addWidget(m_list);
    top->addWidget(detail);
    top->setStretchFactor(1, 1);
    m_list->setMinimumWidth(m_list->fontMetrics().horizontalAdvance(QStringLiteral("Loki push (Promtail, Grafana Alloy, Fluent Bit)")) + 48);

    m_table->setObjectName(QStringLiteral("rejections"));
    m_table->setModel(m_rejections);
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Widths from the font for the short columns; the reason, last, takes what is left.
    const QFontMetrics fm = m_table->fontMetrics();
    const QString samples[] = {QStringLiteral("0000-00-00 00:00:00"), QStringLiteral("/loki/api/v1/push"),
                               QStringLiteral("202, 100 items refused"), QStringLiteral("resourceLogs[0].x"),
                               QStringLiteral("255.255.255.255")};
    for (int c = RejectionsModel::Time; c < RejectionsModel::Reason; ++c)
        m_table->setColumnWidth(c, fm.horizontalAdvance(samples[c]) + 16);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    auto *inspector = new QGroupBox(tr("Ingest inspector: requests refused lately"));
    auto *inspectorLayout = new QVBoxLayout(inspector);
    inspectorLayout->addWidget(m_noRejections);
    inspectorLayout->addWidget(m_table);

    auto *intro = new QLabel(tr("Send your services' logs, metrics and traces here: pick how they talk and paste the "
                                "snippet. A tick shows once the first items of that kind have arrived."));
    intro->setWordWrap(true);
    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("connectInspectorSplitter"));
    split->addWidget(top);
    split->addWidget(inspector);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(split, 1);

    connect(m_list, &QListWidget::currentRowChanged, this, &ConnectPanel::showFormat);
    connect(copy, &QPushButton::clicked, this, &ConnectPanel::copySnippet);
    m_timer.setInterval(kRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, &ConnectPanel::refresh);
    setListenAddress(QStringLiteral("127.0.0.1:4318"));
    m_list->setCurrentRow(0);
}

void ConnectPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
    m_timer.start();
}

void ConnectPanel::hideEvent(QHideEvent *event)
{
    m_timer.stop(); // hidden views do not refresh
    QWidget::hideEvent(event);
}

void ConnectPanel::setListenAddress(const QString &address, bool tls)
{
    QString reachable = address;
    // Bound to every interface: other machines use this host's name.
    if (address.startsWith(QLatin1String("0.0.0.0:")) || address.startsWith(QLatin1String("[::]:")))
        reachable = QHostInfo::localHostName() + address.mid(address.lastIndexOf(QLatin1Char(':')));
    const QString url = (tls ? QStringLiteral("https://") : QStringLiteral("http://")) + reachable;
    if (url == m_baseUrl)
        return;
    m_baseUrl = url;
    showFormat(m_list->currentRow());
}

void ConnectPanel::selectFormat(const QString &id)
{
    for (int i = 0; i < m_formats.size(); ++i)
        if (m_formats[i].id == id)
            m_list->setCurrentRow(i);
}

QString ConnectPanel::snippet() const { return m_snippet->toPlainText(); }

void ConnectPanel::copySnippet() { QApplication::clipboard()->setText(m_snippet->toPlainText()); }

QStringList ConnectPanel::received() const
{
    QStringList ids;
    for (const ClientFormat &f : m_formats)
        if (std::any_of(f.routes.begin(), f.routes.end(),
                        [&](const QString &r) { return m_sources.value(r).value(QStringLiteral("accepted")).toInteger() > 0; }))
            ids << f.id;
    return ids;
}

void ConnectPanel::showFormat(int row)
{
    if (row < 0 || row >= m_formats.size())
        return;
    const ClientFormat &f = m_formats[row];
    m_title->setText(f.title);
    m_description->setText(f.description
                           + (m_tokenRequired ? QLatin1Char(' ')
                                                    + tr("This listener requires a token: create one in Settings → API "
                                                         "tokens and set FLOWGUARD_TOKEN.")
                                              : QString()));
    m_snippet->setPlainText(renderSnippet(f, m_baseUrl, m_tokenRequired));
    qint64 accepted = 0, requests = 0;
    QDateTime last;
    for (const QString &route : f.routes) {
        const QJsonObject s = m_sources.value(route);
        accepted += s.value(QStringLiteral("accepted")).toInteger();
        requests += s.value(QStringLiteral("requests")).toInteger();
        const QDateTime at = apiTime(s.value(QStringLiteral("last_accepted_at")).toString());
        if (at.isValid() && (!last.isValid() || at > last))
            last = at;
    }
    const QLocale locale;
    m_progress->setText(accepted > 0 ? tr("Received: %1 items in %2 requests, last %3")
                                           .arg(locale.toString(accepted), locale.toString(requests), relativeTime(last))
                                     : tr("Waiting for the first items…"));
}

void ConnectPanel::applySources(const QJsonArray &items)
{
    for (const QJsonValue &v : items) {
        const QJsonObject o = v.toObject();
        m_sources.insert(o.value(QStringLiteral("route")).toString(), o);
    }
    const QStringList done = received();
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem *item = m_list->item(i);
        const bool ticked = done.contains(item->data(Qt::UserRole).toString());
        item->setIcon(StatePalette::checkIcon(ticked));
        item->setToolTip(ticked ? tr("Items have arrived in this format") : tr("Nothing received in this format yet"));
    }
    showFormat(m_list->currentRow());
}

void ConnectPanel::refresh()
{
    if (!m_api->ready())
        return;
    m_api->get("/api/health", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return;
        const bool required = json.value(QStringLiteral("auth")).toString() == QLatin1String("tokens");
        if (required != m_tokenRequired) {
            m_tokenRequired = required;
            showFormat(m_list->currentRow());
        }
    });
    m_api->get("/api/ingest/sources", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status == 200)
            applySources(json.value(QStringLiteral("items")).toArray());
    });
    m_api->get("/api/ingest/rejections", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return;
        m_rejections->setRejections(json.value(QStringLiteral("items")).toArray());
        m_noRejections->setVisible(m_rejections->rowCount() == 0);
    });
}

} // namespace fg
