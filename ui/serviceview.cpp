#include "serviceview.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <cmath>
#include <memory>

#include "endpointsmodel.h"
#include "patternsmodel.h"
#include "scorebardelegate.h"
#include "statepalette.h"
#include "timelinechart.h"
#include "timetext.h"
#include "timewindowdialog.h"

namespace fg {

namespace {
struct RangeChoice {
    const char *label;
    qint64 minutes;
    qint64 stepMinutes; // keeps a range at or under ~1,500 steps
};
constexpr RangeChoice kRanges[] = {{QT_TRANSLATE_NOOP("fg::ServiceView", "15 min"), 15, 1},
                                   {QT_TRANSLATE_NOOP("fg::ServiceView", "1 hour"), 60, 1},
                                   {QT_TRANSLATE_NOOP("fg::ServiceView", "6 hours"), 360, 1},
                                   {QT_TRANSLATE_NOOP("fg::ServiceView", "24 hours"), 1440, 1},
                                   {QT_TRANSLATE_NOOP("fg::ServiceView", "7 days"), 10080, 10}};
constexpr int kRangeCount = int(std::size(kRanges));
constexpr int kRefreshMs = 10'000;

QTableView *makeTable(QAbstractItemModel *model, int sortColumn, QWidget *parent)
{
    auto *table = new QTableView(parent);
    if (sortColumn >= 0) {
        auto *proxy = new QSortFilterProxyModel(table);
        proxy->setSourceModel(model);
        proxy->setSortRole(Qt::UserRole);
        proxy->setDynamicSortFilter(true);
        proxy->sort(sortColumn);
        table->setModel(proxy);
    } else {
        table->setModel(model);
    }
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setAlternatingRowColors(true);
    table->setShowGrid(false);
    table->setWordWrap(false);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setHighlightSections(false);
    return table;
}

} // namespace

// The timelines of one answer of GET /api/kpis?baseline=1, in the charts' units (error rate in %).
// Parsed off the GUI thread.
struct KpiSeries {
    int status = 0;
    QString error;
    QList<QPointF> p95, p99, errorRate, throughput;
    QList<QPointF> p95Low, p95High, rateLow, rateHigh, rpsLow, rpsHigh;
};

namespace {

KpiSeries parseKpis(int status, const QJsonObject &json)
{
    KpiSeries s;
    s.status = status;
    if (status != 200) {
        s.error = ApiClient::errorText(json);
        return s;
    }
    const QJsonArray items = json.value(QStringLiteral("items")).toArray();
    for (QList<QPointF> *l : {&s.p95, &s.p99, &s.errorRate, &s.throughput})
        l->reserve(items.size());
    const QString ts = QStringLiteral("ts"), baseline = QStringLiteral("baseline"), p95 = QStringLiteral("p95_latency_ms"),
                  p99 = QStringLiteral("p99_latency_ms"), rate = QStringLiteral("error_rate"), rps = QStringLiteral("throughput_rps"),
                  low = QStringLiteral("low"), high = QStringLiteral("high");
    for (const QJsonValue &v : items) {
        const QJsonObject o = v.toObject();
        const double x = double(apiTime(o.value(ts).toString()).toMSecsSinceEpoch());
        auto add = [&](QList<QPointF> &to, const QJsonValue &value, double scale) {
            if (value.isDouble())
                to.append(QPointF(x, value.toDouble() * scale));
        };
        add(s.p95, o.value(p95), 1);
        add(s.p99, o.value(p99), 1);
        add(s.errorRate, o.value(rate), 100);
        add(s.throughput, o.value(rps), 1);
        const QJsonObject band = o.value(baseline).toObject();
        auto edges = [&](const QString &kpi, QList<QPointF> &lo, QList<QPointF> &hi, double scale) {
            const QJsonObject b = band.value(kpi).toObject();
            add(lo, b.value(low), scale);
            add(hi, b.value(high), scale);
        };
        edges(p95, s.p95Low, s.p95High, 1);
        edges(rate, s.rateLow, s.rateHigh, 100);
        edges(rps, s.rpsLow, s.rpsHigh, 1);
    }
    return s;
}

// The degradation spans of GET /api/anomalies for one endpoint ("": the service's own); open ones run
// to `toMs`.
QList<TimelineChart::Span> parseSpans(int status, const QJsonObject &json, const QString &endpoint, qint64 toMs)
{
    QList<TimelineChart::Span> spans;
    if (status != 200)
        return spans;
    for (const QJsonValue &v : json.value(QStringLiteral("items")).toArray()) {
        if (v[QStringLiteral("endpoint")].toString() != endpoint)
            continue;
        const QDateTime start = apiTime(v[QStringLiteral("started_at")].toString());
        const QDateTime end = apiTime(v[QStringLiteral("ended_at")].toString());
        spans.append({start.toMSecsSinceEpoch(), end.isValid() ? end.toMSecsSinceEpoch() : toMs});
    }
    return spans;
}

// Alerts where they fired, from GET /api/alerts; an endpoint's view shows that endpoint's only.
QList<TimelineChart::Marker> parseMarkers(int status, const QJsonObject &json, const QString &endpoint)
{
    QList<TimelineChart::Marker> markers;
    if (status != 200)
        return markers;
    for (const QJsonValue &v : json.value(QStringLiteral("items")).toArray()) {
        const QDateTime fired = apiTime(v[QStringLiteral("fired_at")].toString());
        if (!fired.isValid() || (!endpoint.isEmpty() && v[QStringLiteral("endpoint")].toString() != endpoint))
            continue;
        markers.append({fired.toMSecsSinceEpoch(), v[QStringLiteral("id")].toInteger(),
                        QCoreApplication::translate("fg::ServiceView", "Alert #%1 (%2): %3")
                            .arg(v[QStringLiteral("id")].toInteger())
                            .arg(v[QStringLiteral("level")].toString(), v[QStringLiteral("explanation")].toString())});
    }
    return markers;
}
} // namespace

ServiceView::ServiceView(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_title(new QLabel), m_wholeService(new QToolButton), m_summary(new QLabel), m_range(new QComboBox),
      m_latency(new TimelineChart(tr("Latency"), tr("ms"))), m_errors(new TimelineChart(tr("Error rate"), tr("%"))),
      m_throughput(new TimelineChart(tr("Throughput"), tr("req/s"))), m_endpoints(new EndpointsModel(this)),
      m_patterns(new PatternsModel(this)), m_endpointTable(makeTable(m_endpoints, EndpointsModel::Endpoint, this)),
      m_patternTable(makeTable(m_patterns, -1, this)), m_split(new QSplitter(Qt::Vertical))
{
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    m_title->setFont(big);
    m_title->setText(tr("No service chosen"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    for (const RangeChoice &r : kRanges)
        m_range->addItem(tr(r.label));
    m_range->addItem(tr("Custom…")); // index kRangeCount; a chosen window is added after it
    m_range->setCurrentIndex(1);
    m_range->setToolTip(tr("Time range of the timelines. Wheel over a chart to zoom, drag to pan, double click to reset."));
    m_wholeService->setText(tr("Whole service"));
    m_wholeService->setToolTip(tr("Back to the timelines of the whole service"));
    m_wholeService->hide();
    connect(m_wholeService, &QToolButton::clicked, this, [this] { showEndpoint({}); });
    auto *top = new QHBoxLayout;
    top->addWidget(m_title);
    top->addWidget(m_wholeService);
    top->addSpacing(12);
    top->addWidget(m_summary, 1);
    auto *logs = new QToolButton;
    logs->setText(tr("Logs"));
    logs->setToolTip(tr("This service's stored logs"));
    connect(logs, &QToolButton::clicked, this, [this] {
        if (!m_service.isEmpty())
            emit openLogs(m_service);
    });
    top->addWidget(logs);
    top->addSpacing(12);
    top->addWidget(new QLabel(tr("Range:")));
    top->addWidget(m_range);

    auto *charts = new QWidget;
    auto *chartLayout = new QVBoxLayout(charts);
    chartLayout->setContentsMargins(0, 0, 0, 0);
    chartLayout->setSpacing(2);
    for (TimelineChart *c : {m_latency, m_errors, m_throughput}) {
        c->setMinimumHeight(150);
        chartLayout->addWidget(c);
        connect(c, &TimelineChart::rangeChanged, this, &ServiceView::followRange);
        connect(c, &TimelineChart::markerClicked, this, &ServiceView::openAlert);
    }
    m_endpointTable->setItemDelegateForColumn(EndpointsModel::Score,
                                              new ScoreBarDelegate(EndpointsModel::ScoreRole, Qt::ForegroundRole, m_endpointTable));
    m_endpointTable->verticalHeader()->setDefaultSectionSize(28);
    m_endpointTable->setObjectName(QStringLiteral("endpointTable"));
    m_endpointTable->setToolTip(tr("Double click an endpoint for its own timelines"));
    connect(m_endpointTable, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        showEndpoint(index.siblingAtColumn(EndpointsModel::Endpoint).data().toString());
    });
    m_patternTable->setObjectName(QStringLiteral("patternTable"));
    m_patternTable->verticalHeader()->setDefaultSectionSize(28);
    m_endpointTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_endpointTable->horizontalHeader()->setSectionResizeMode(EndpointsModel::Endpoint, QHeaderView::Stretch);
    m_patternTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_patternTable->horizontalHeader()->setSectionResizeMode(PatternsModel::Pattern, QHeaderView::Stretch);
    // Sized for the longest level name: the column is filled after it was first laid out.
    m_patternTable->horizontalHeader()->setSectionResizeMode(PatternsModel::Level, QHeaderView::Fixed);
    m_patternTable->setColumnWidth(PatternsModel::Level, fontMetrics().horizontalAdvance(QStringLiteral("CRITICAL")) + 16);
    auto *tables = new QSplitter(Qt::Horizontal);
    tables->setObjectName(QStringLiteral("serviceTables"));
    tables->addWidget(m_endpointTable);
    tables->addWidget(m_patternTable);
    tables->setStretchFactor(0, 2);
    tables->setStretchFactor(1, 3);
    m_split->setObjectName(QStringLiteral("serviceSplit"));
    m_split->addWidget(charts);
    m_split->addWidget(tables);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 1);
    m_split->setChildrenCollapsible(false);
    m_split->setSizes({560, 200});

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_split, 1);

    connect(m_range, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index == kRangeCount)
            return chooseWindow();
        if (index < kRangeCount) {
            m_fixedFrom = m_fixedTo = {};
            if (m_range->count() > kRangeCount + 1)
                m_range->removeItem(kRangeCount + 1);
        }
        m_lastRange = index;
        m_keepZoom = false;
        refresh();
    });
    m_timer.setInterval(kRefreshMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (!m_fixedFrom.isValid()) {
            m_keepZoom = true;
            refresh();
        }
    });
    m_timer.start();
}

void ServiceView::showService(const QString &name)
{
    if (name != m_service) {
        m_service = name;
        m_endpoint.clear();
        m_wholeService->hide();
        m_title->setText(name);
        m_summary->clear();
        m_endpoints->setRows({});
        m_patterns->setRows({});
    }
    m_keepZoom = false;
    refresh();
}

void ServiceView::showEndpoint(const QString &endpoint)
{
    m_endpoint = endpoint;
    m_title->setText(endpoint.isEmpty() ? m_service : QStringLiteral("%1 %2").arg(m_service, endpoint));
    m_wholeService->setVisible(!endpoint.isEmpty());
    m_keepZoom = false;
    refresh();
}

void ServiceView::showWindow(const QDateTime &from, const QDateTime &to)
{
    m_fixedFrom = from;
    m_fixedTo = to;
    const QString text = QStringLiteral("%1 – %2").arg(localTime(from), localTime(to));
    const QSignalBlocker block(m_range);
    if (m_range->count() == kRangeCount + 1)
        m_range->addItem(text);
    else
        m_range->setItemText(kRangeCount + 1, text);
    m_range->setCurrentIndex(kRangeCount + 1);
    m_lastRange = kRangeCount + 1;
    m_keepZoom = false;
    refresh();
}

void ServiceView::chooseWindow()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime from = m_fixedFrom.isValid() ? m_fixedFrom : now.addSecs(-3600);
    auto *dialog = new TimeWindowDialog(from, m_fixedTo.isValid() ? m_fixedTo : now, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { showWindow(dialog->from(), dialog->to()); });
    connect(dialog, &QDialog::rejected, this, [this] {
        const QSignalBlocker block(m_range);
        m_range->setCurrentIndex(m_lastRange);
    });
    dialog->open();
}

int ServiceView::rangeIndex() const { return m_fixedFrom.isValid() ? -1 : m_range->currentIndex(); }

void ServiceView::setRangeIndex(int index)
{
    if (index >= 0 && index < kRangeCount)
        m_range->setCurrentIndex(index);
}

void ServiceView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh();
}

void ServiceView::refresh()
{
    if (!isVisible() || m_service.isEmpty() || !m_api->ready())
        return;
    ++m_generation;
    QDateTime from = m_fixedFrom, to = m_fixedTo;
    qint64 step = 1;
    if (!from.isValid()) {
        const RangeChoice &r = kRanges[qBound(0, m_range->currentIndex(), kRangeCount - 1)];
        to = QDateTime::currentDateTimeUtc();
        from = to.addSecs(-60 * r.minutes);
        step = r.stepMinutes;
    } else {
        step = std::max<qint64>(1, from.secsTo(to) / 60 / 1500);
    }
    loadTimelines(from, to, step);
    loadHealth();
    loadPatterns(from, to);
}

void ServiceView::loadTimelines(const QDateTime &from, const QDateTime &to, qint64 stepMinutes)
{
    const QByteArray service = QUrl::toPercentEncoding(m_service);
    const QByteArray window = "&from=" + apiTimeText(from) + "&to=" + apiTimeText(to);
    QByteArray kpis = "/api/kpis?baseline=1&service=" + service + window + "&step=" + QByteArray::number(stepMinutes) + 'm';
    if (!m_endpoint.isEmpty())
        kpis += "&endpoint=" + QUrl::toPercentEncoding(m_endpoint);
    // The three answers are asked for at once and drawn together when the last one is in.
    struct Pending {
        int remaining = 3;
        KpiSeries kpis;
        QList<TimelineChart::Span> spans;
        QList<TimelineChart::Marker> markers;
    };
    auto pending = std::make_shared<Pending>();
    const int generation = m_generation;
    const qint64 fromMs = from.toMSecsSinceEpoch(), toMs = to.toMSecsSinceEpoch();
    auto arrived = [this, pending, generation, fromMs, toMs] {
        if (--pending->remaining > 0 || generation != m_generation)
            return;
        if (pending->kpis.status != 200)
            return m_summary->setText(pending->kpis.error);
        drawTimelines(std::move(pending->kpis), std::move(pending->spans), std::move(pending->markers), fromMs, toMs);
    };
    m_api->getRows(kpis, this, &parseKpis, [pending, arrived](KpiSeries series) {
        pending->kpis = std::move(series);
        arrived();
    });
    m_api->getRows("/api/anomalies?limit=1000&service=" + service + window, this,
                   [endpoint = m_endpoint, toMs](int status, const QJsonObject &json) { return parseSpans(status, json, endpoint, toMs); },
                   [pending, arrived](QList<TimelineChart::Span> spans) {
                       pending->spans = std::move(spans);
                       arrived();
                   });
    m_api->getRows("/api/alerts?limit=500&service=" + service + window, this,
                   [endpoint = m_endpoint](int status, const QJsonObject &json) { return parseMarkers(status, json, endpoint); },
                   [pending, arrived](QList<TimelineChart::Marker> markers) {
                       pending->markers = std::move(markers);
                       arrived();
                   });
}

void ServiceView::drawTimelines(KpiSeries kpis, QList<TimelineChart::Span> spans, QList<TimelineChart::Marker> markers,
                                qint64 fromMs, qint64 toMs)
{
    // One chart per pass of the event loop: Qt Charts lays a changed chart out in a posted event, and
    // posted events (queued calls too) all run in one pass, so the next chart waits for a timer: between
    // them the event loop runs timers and input.
    m_latency->setData(fromMs, toMs, {{tr("p95"), std::move(kpis.p95)}, {tr("p99"), std::move(kpis.p99)}}, std::move(kpis.p95Low),
                       std::move(kpis.p95High), spans, m_keepZoom);
    m_latency->setMarkers(std::move(markers));
    const int generation = m_generation;
    auto rest = std::make_shared<KpiSeries>(std::move(kpis));
    QTimer::singleShot(1, this, [this, generation, rest, spans, fromMs, toMs] {
        if (generation != m_generation)
            return; // a newer answer draws all three
        m_errors->setData(fromMs, toMs, {{tr("error rate"), std::move(rest->errorRate)}}, std::move(rest->rateLow),
                          std::move(rest->rateHigh), spans, m_keepZoom);
        QTimer::singleShot(1, this, [this, generation, rest, spans, fromMs, toMs] {
            if (generation != m_generation)
                return;
            m_throughput->setData(fromMs, toMs, {{tr("throughput"), std::move(rest->throughput)}}, std::move(rest->rpsLow),
                                  std::move(rest->rpsHigh), spans, m_keepZoom);
            emit timelinesLoaded();
        });
    });
}

void ServiceView::loadHealth()
{
    const int generation = m_generation;
    m_api->get("/api/health/services/" + QUrl::toPercentEncoding(m_service), this,
               [this, generation](int status, const QJsonObject &h, const QByteArray &) {
                   if (generation != m_generation)
                       return;
                   if (status != 200)
                       return m_summary->setText(ApiClient::errorText(h));
                   const HealthState state = healthStateFromApi(h.value(QStringLiteral("status")).toString());
                   const QJsonObject kpis = h.value(QStringLiteral("kpis")).toObject();
                   const QLocale locale;
                   QStringList parts;
                   const QJsonValue score = h.value(QStringLiteral("score"));
                   parts << QStringLiteral("<b style=\"color:%1\">%2 %3</b>")
                                .arg(StatePalette::health(state).name(),
                                     score.isDouble() ? locale.toString(score.toDouble(), 'f', 0) : QStringLiteral("—"),
                                     StatePalette::healthText(state));
                   if (kpis.value(QStringLiteral("p95_latency_ms")).isDouble()) {
                       QString p = tr("p95 %1 ms").arg(locale.toString(kpis.value(QStringLiteral("p95_latency_ms")).toDouble(), 'f', 0));
                       if (kpis.value(QStringLiteral("baseline_p95_latency_ms")).isDouble())
                           p += tr(" (baseline %1 ms)").arg(locale.toString(kpis.value(QStringLiteral("baseline_p95_latency_ms")).toDouble(), 'f', 0));
                       parts << p;
                   }
                   parts << tr("errors %1 %").arg(locale.toString(kpis.value(QStringLiteral("error_rate")).toDouble() * 100, 'f', 2));
                   const int open = h.value(QStringLiteral("open_anomalies")).toInt();
                   if (open > 0)
                       parts << tr("%n open degradation(s)", nullptr, open);
                   m_summary->setText(parts.join(QStringLiteral(" · ")));
                   m_endpoints->setEndpoints(h.value(QStringLiteral("endpoints")).toArray());
               });
}

void ServiceView::loadPatterns(const QDateTime &from, const QDateTime &to)
{
    const int generation = m_generation;
    m_api->get("/api/analytics/errors/patterns?limit=50&service=" + QUrl::toPercentEncoding(m_service) + "&from="
                   + apiTimeText(from) + "&to=" + apiTimeText(to),
               this, [this, generation, from](int status, const QJsonObject &json, const QByteArray &) {
                   if (generation == m_generation && status == 200)
                       m_patterns->setPatterns(json.value(QStringLiteral("items")).toArray(), from);
               });
}

void ServiceView::followRange(qint64 fromMs, qint64 toMs)
{
    for (TimelineChart *c : {m_latency, m_errors, m_throughput})
        if (c != sender())
            c->setVisibleRange(fromMs, toMs);
}

} // namespace fg
