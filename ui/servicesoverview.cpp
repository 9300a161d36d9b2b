#include "servicesoverview.h"

#include <QDateTime>
#include <QHash>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>
#include <memory>
#include <optional>

#include "scorebardelegate.h"
#include "servicesmodel.h"
#include "sparklinedelegate.h"
#include "timetext.h"

namespace fg {

namespace {
constexpr int kRefreshMs = 2000;
constexpr qint64 kSparklineMs = 30'000;

std::optional<double> number(const QJsonValue &v)
{
    return v.isDouble() ? std::optional<double>(v.toDouble()) : std::nullopt;
}
} // namespace

ServicesOverview::ServicesOverview(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_model(new ServicesModel(this)), m_proxy(new QSortFilterProxyModel(this)),
      m_table(new QTableView), m_filter(new QLineEdit), m_pages(new QStackedWidget), m_empty(new QLabel),
      m_status(new QLabel)
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ServicesModel::SortRole);
    m_proxy->setFilterKeyColumn(ServicesModel::Name);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setDynamicSortFilter(true);
    m_proxy->sort(ServicesModel::Name); // the sort role orders worst first whatever the column

    m_table->setObjectName(QStringLiteral("servicesTable"));
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(30);
    m_table->setIconSize(QSize(16, 16));
    m_table->setItemDelegateForColumn(ServicesModel::Score,
                                      new ScoreBarDelegate(ServicesModel::ScoreRole, Qt::ForegroundRole, m_table));
    m_table->setItemDelegateForColumn(ServicesModel::Sparkline,
                                      new SparklineDelegate(ServicesModel::SparklineRole, m_table));
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ServicesModel::Sparkline, QHeaderView::Stretch);
    header->setMinimumSectionSize(60);
    header->setHighlightSections(false);

    m_filter->setPlaceholderText(tr("Filter services…"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_empty->setObjectName(QStringLiteral("emptyState"));
    m_status->setObjectName(QStringLiteral("overviewStatus"));
    m_empty->setWordWrap(true);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_empty->setMargin(24);
    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_table);
    setListenAddress(QStringLiteral("127.0.0.1:4318"));

    auto *layout = new QVBoxLayout(this);
    auto *top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_status);
    layout->addLayout(top);
    layout->addWidget(m_pages, 1);

    connect(m_table, &QTableView::doubleClicked, this, &ServicesOverview::openCurrent);
    for (const int key : {Qt::Key_Return, Qt::Key_Enter}) {
        auto *enter = new QShortcut(QKeySequence(key), m_table, nullptr, nullptr, Qt::WidgetShortcut);
        connect(enter, &QShortcut::activated, this, &ServicesOverview::openCurrent);
    }
    m_timer.setInterval(kRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, &ServicesOverview::refresh);
    m_timer.start();
}

void ServicesOverview::focusSearch()
{
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

bool ServicesOverview::showsEmptyState() const { return m_pages->currentWidget() == m_empty; }

void ServicesOverview::setListenAddress(const QString &address, bool tls)
{
    const QString url = (tls ? QStringLiteral("https://") : QStringLiteral("http://")) + address;
    if (address.isEmpty() || url == m_listen)
        return;
    m_listen = url;
    const QString curl = QStringLiteral("curl -d '{\"service\":\"checkout\",\"level\":\"info\",\"message\":\"GET /cart 200 "
                                        "latency=35ms\"}' %1/api/ingest/logs")
                             .arg(url);
    m_empty->setText(tr("<h3>No service has sent anything yet</h3>"
                        "<p>Point your services' logs at FlowGuard's listener. To try it, send a first event:</p>"
                        "<p><code>%1</code></p>"
                        "<p>Every service that sends logs or metrics shows up here within a few seconds, with its "
                        "health, latency, errors and throughput.</p>")
                         .arg(curl.toHtmlEscaped()));
}

void ServicesOverview::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh(); // hidden views do not refresh; catch up at once when shown
}

void ServicesOverview::refresh()
{
    if (!isVisible() || m_busy || !m_api->ready())
        return;
    m_busy = true;
    // Health, live throughput and open alerts are asked for at once, parsed off the GUI thread and
    // merged when the last one is in.
    struct Pending {
        int remaining = 3;
        int status = 0;
        QString error;
        QList<ServiceRow> rows;
        QHash<QString, double> throughput;
        QHash<QString, int> alerts;
    };
    auto pending = std::make_shared<Pending>();
    auto arrived = [this, pending] {
        if (--pending->remaining > 0)
            return;
        m_busy = false;
        if (pending->status != 200)
            return m_status->setText(pending->error);
        for (ServiceRow &r : pending->rows) {
            if (const auto rps = pending->throughput.constFind(r.name); rps != pending->throughput.cend())
                r.throughputRps = *rps;
            r.openAlerts = pending->alerts.value(r.name);
        }
        showRows(std::move(pending->rows));
    };
    m_api->getRows(
        "/api/health/services", this,
        [](int status, const QJsonObject &json) {
            Pending health;
            health.status = status;
            if (status != 200) {
                health.error = ApiClient::errorText(json);
                return health;
            }
            for (const QJsonValue &v : json.value(QStringLiteral("items")).toArray()) {
                const QJsonObject h = v.toObject();
                const QJsonObject kpis = h.value(QStringLiteral("kpis")).toObject();
                ServiceRow r;
                r.name = h.value(QStringLiteral("service")).toString();
                r.score = number(h.value(QStringLiteral("score")));
                r.state = healthStateFromApi(h.value(QStringLiteral("status")).toString());
                r.p95Ms = number(kpis.value(QStringLiteral("p95_latency_ms")));
                r.baselineP95Ms = number(kpis.value(QStringLiteral("baseline_p95_latency_ms")));
                r.errorRate = kpis.value(QStringLiteral("error_rate")).toDouble();
                r.lastSeen = apiTime(h.value(QStringLiteral("last_received")).toString());
                health.rows.append(std::move(r));
            }
            return health;
        },
        [pending, arrived](Pending health) {
            pending->status = health.status;
            pending->error = std::move(health.error);
            pending->rows = std::move(health.rows);
            arrived();
        });
    m_api->getRows(
        "/api/kpis/live", this,
        [](int status, const QJsonObject &json) {
            QHash<QString, double> throughput; // of the last 5 minutes
            if (status == 200)
                for (const QJsonValue &v : json.value(QStringLiteral("items")).toArray())
                    if (const QJsonValue rps = v[QStringLiteral("windows")][QStringLiteral("5m")][QStringLiteral("throughput_rps")];
                        rps.isDouble())
                        throughput.insert(v[QStringLiteral("service")].toString(), rps.toDouble());
            return throughput;
        },
        [pending, arrived](QHash<QString, double> throughput) {
            pending->throughput = std::move(throughput);
            arrived();
        });
    m_api->getRows(
        "/api/alerts?state=open&limit=1000", this,
        [](int status, const QJsonObject &json) {
            QHash<QString, int> alerts;
            if (status == 200)
                for (const QJsonValue &v : json.value(QStringLiteral("items")).toArray())
                    ++alerts[v[QStringLiteral("service")].toString()];
            return alerts;
        },
        [pending, arrived](QHash<QString, int> alerts) {
            pending->alerts = std::move(alerts);
            arrived();
        });
}

void ServicesOverview::showRows(QList<ServiceRow> rows)
{
    const bool grew = rows.size() > m_model->rowCount();
    m_model->update(std::move(rows));
    m_pages->setCurrentWidget(m_model->rowCount() ? static_cast<QWidget *>(m_table) : m_empty);
    // At a glance: how many are in each state, worst first.
    int counts[4] = {};
    for (const ServiceRow &r : m_model->rows())
        ++counts[healthStateRank(r.state)];
    QStringList parts;
    for (const HealthState state : {HealthState::Critical, HealthState::Degraded, HealthState::Silent, HealthState::Healthy})
        if (const int n = counts[healthStateRank(state)])
            parts << QStringLiteral("%1 %2").arg(n).arg(StatePalette::healthText(state));
    m_status->setText(parts.isEmpty() ? tr("%n service(s)", nullptr, m_model->rowCount())
                                      : tr("%n service(s): %1", nullptr, m_model->rowCount()).arg(parts.join(QStringLiteral(", "))));
    if (m_table->selectionModel()->selectedRows().isEmpty() && m_proxy->rowCount() > 0)
        m_table->selectRow(0);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (grew || now - m_sparklinesAt > kSparklineMs) {
        m_sparklinesAt = now;
        loadSparklines();
    }
    emit refreshed();
}

void ServicesOverview::loadSparklines()
{
    // One minute per point over the last hour, aligned to the clock so that points do not wander.
    const qint64 nowMin = QDateTime::currentSecsSinceEpoch() / 60;
    for (const ServiceRow &r : m_model->rows()) {
        const QByteArray target = "/api/kpis?range=1h&step=1m&service=" + QUrl::toPercentEncoding(r.name);
        m_api->getRows(
            target, this,
            [nowMin](int status, const QJsonObject &json) -> std::optional<QList<double>> {
                if (status != 200)
                    return std::nullopt;
                // p95 latency; a service that logs no requests gets its event rate instead.
                QList<double> latency(60, NAN), rate(60, NAN);
                bool anyLatency = false;
                for (const QJsonValue &v : json.value(QStringLiteral("items")).toArray()) {
                    const qint64 minute = apiTime(v[QStringLiteral("ts")].toString()).toSecsSinceEpoch() / 60;
                    const qint64 slot = 59 - (nowMin - minute);
                    if (slot < 0 || slot >= 60)
                        continue;
                    const QJsonValue p95 = v[QStringLiteral("p95_latency_ms")];
                    anyLatency = anyLatency || p95.isDouble();
                    latency[slot] = p95.isDouble() ? p95.toDouble() : double(NAN);
                    rate[slot] = v[QStringLiteral("throughput_rps")].toDouble();
                }
                return anyLatency ? latency : rate;
            },
            [this, name = r.name](const std::optional<QList<double>> &line) {
                if (line)
                    m_model->setSparkline(name, *line);
            });
    }
}

void ServicesOverview::openCurrent()
{
    const QModelIndex current = m_table->currentIndex();
    if (current.isValid())
        emit openService(current.data(ServicesModel::ServiceNameRole).toString());
}

} // namespace fg
