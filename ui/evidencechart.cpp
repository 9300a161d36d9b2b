#include "evidencechart.h"

#include <QAreaSeries>
#include <QDateTimeAxis>
#include <QGraphicsScene>
#include <QJsonArray>
#include <QLineSeries>
#include <QUrlQuery>
#include <QValueAxis>

#include <cmath>

#include "statepalette.h"
#include "timetext.h"

namespace fg {

namespace {
constexpr qint64 kBeforeSeconds = 30 * 60;
constexpr qint64 kAfterSeconds = 15 * 60;     // after firing, for an alert still open
constexpr qint64 kMaxSpanSeconds = 6 * 3600;  // one point a minute: at most 360 points

const char *kpiKey(EvidenceChart::Kpi kpi)
{
    switch (kpi) {
    case EvidenceChart::Kpi::ErrorRate: return "error_rate";
    case EvidenceChart::Kpi::Throughput: return "throughput_rps";
    case EvidenceChart::Kpi::Latency: break;
    }
    return "p95_latency_ms";
}
} // namespace

EvidenceChart::EvidenceChart(const ApiClient *api, QWidget *parent)
    : QChartView(new QChart, parent), m_api(api), m_values(new QLineSeries), m_bandLow(new QLineSeries),
      m_bandHigh(new QLineSeries), m_band(new QAreaSeries(m_bandHigh, m_bandLow)), m_fired(new QLineSeries),
      m_time(new QDateTimeAxis), m_value(new QValueAxis)
{
    setObjectName(QStringLiteral("evidenceChart"));
    scene()->setItemIndexMethod(QGraphicsScene::NoIndex); // its items move on each update (see TimelineChart)
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(170);
    setMinimumWidth(360);
    QChart *c = chart();
    c->legend()->setVisible(true);
    c->legend()->setAlignment(Qt::AlignBottom);
    c->setMargins(QMargins(4, 4, 4, 4));
    c->setBackgroundRoundness(0);
    m_band->setName(tr("Baseline"));
    m_band->setBorderColor(Qt::transparent);
    // An area series does not own its boundary lines (LeakSanitizer found them leaked with every chart).
    m_bandLow->setParent(m_band);
    m_bandHigh->setParent(m_band);
    m_fired->setName(tr("Fired"));
    for (QAbstractSeries *s : std::initializer_list<QAbstractSeries *>{m_band, m_values, m_fired})
        c->addSeries(s);
    m_time->setFormat(QStringLiteral("HH:mm"));
    m_time->setTickCount(4);
    m_value->setLabelFormat(QStringLiteral("%.3g"));
    m_value->setTickCount(4);
    c->addAxis(m_time, Qt::AlignBottom);
    c->addAxis(m_value, Qt::AlignLeft);
    for (QAbstractSeries *s : std::initializer_list<QAbstractSeries *>{m_band, m_values, m_fired}) {
        s->attachAxis(m_time);
        s->attachAxis(m_value);
    }
    applyPalette();
    hide();
}

void EvidenceChart::applyPalette()
{
    StatePalette::styleChart(chart(), palette());
    m_band->setColor(StatePalette::baselineBand());
    m_values->setPen(QPen(StatePalette::series(0), 2));
    m_fired->setPen(QPen(StatePalette::crosshair(), 1.5, Qt::DashLine));
}

void EvidenceChart::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

EvidenceChart::Kpi EvidenceChart::kpiFor(const QString &reason, const QString &explanation)
{
    const QString text = (reason + QLatin1Char(' ') + explanation).toLower();
    if (text.contains(QLatin1String("error")) || text.contains(QLatin1String("5xx")) || text.contains(QLatin1String("fail")))
        return Kpi::ErrorRate;
    if (text.contains(QLatin1String("throughput")) || text.contains(QLatin1String("traffic"))
        || text.contains(QLatin1String("silent")) || text.contains(QLatin1String("requests")))
        return Kpi::Throughput;
    return Kpi::Latency;
}

int EvidenceChart::points() const { return int(m_values->count()); }

void EvidenceChart::showAlert(const QJsonObject &alert)
{
    m_alert = alert.value(QStringLiteral("id")).toInteger();
    const QDateTime fired = apiTime(alert.value(QStringLiteral("fired_at")).toString());
    const QString service = alert.value(QStringLiteral("service")).toString();
    if (!fired.isValid() || service.isEmpty() || alert.value(QStringLiteral("test")).toBool())
        return hide();
    m_kpi = kpiFor(alert.value(QStringLiteral("reason")).toString(), alert.value(QStringLiteral("explanation")).toString());
    QDateTime to = apiTime(alert.value(QStringLiteral("resolved_at")).toString());
    if (!to.isValid())
        to = std::min(fired.addSecs(kAfterSeconds), QDateTime::currentDateTimeUtc());
    to = std::max(to.addSecs(5 * 60), fired.addSecs(5 * 60));
    const QDateTime from = std::max(fired.addSecs(-kBeforeSeconds), to.addSecs(-kMaxSpanSeconds));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("service"), service);
    if (const QString endpoint = alert.value(QStringLiteral("endpoint")).toString(); !endpoint.isEmpty())
        q.addQueryItem(QStringLiteral("endpoint"), endpoint);
    q.addQueryItem(QStringLiteral("from"), from.toString(Qt::ISODate));
    q.addQueryItem(QStringLiteral("to"), to.toString(Qt::ISODate));
    q.addQueryItem(QStringLiteral("step"), QStringLiteral("1m"));
    q.addQueryItem(QStringLiteral("baseline"), QStringLiteral("1"));
    const qint64 id = m_alert;
    m_api->get("/api/kpis?" + q.toString(QUrl::FullyEncoded).toLatin1(), this,
               [this, id, fired](int status, const QJsonObject &json, const QByteArray &) {
                   if (id != m_alert)
                       return;
                   if (status != 200)
                       return hide();
                   draw(json.value(QStringLiteral("items")).toArray(), fired);
               });
}

void EvidenceChart::draw(const QJsonArray &items, const QDateTime &firedAt)
{
    const QString key = QLatin1String(kpiKey(m_kpi));
    const double scale = m_kpi == Kpi::ErrorRate ? 100 : 1; // error rate in %
    QList<QPointF> values, low, high;
    double top = 0;
    for (const QJsonValue &v : items) {
        const QJsonObject o = v.toObject();
        const double x = double(apiTime(o.value(QStringLiteral("ts")).toString()).toMSecsSinceEpoch());
        const QJsonValue value = o.value(key);
        if (value.isDouble() && std::isfinite(value.toDouble())) {
            values << QPointF(x, value.toDouble() * scale);
            top = std::max(top, value.toDouble() * scale);
        }
        const QJsonObject band = o.value(QStringLiteral("baseline")).toObject().value(key).toObject();
        if (!band.isEmpty()) {
            low << QPointF(x, band.value(QStringLiteral("low")).toDouble() * scale);
            high << QPointF(x, band.value(QStringLiteral("high")).toDouble() * scale);
            top = std::max(top, high.last().y());
        }
    }
    if (values.isEmpty())
        return hide();
    m_values->setName(m_kpi == Kpi::ErrorRate    ? tr("Error rate (%)")
                      : m_kpi == Kpi::Throughput ? tr("Throughput (req/s)")
                                                 : tr("p95 latency (ms)"));
    m_values->replace(values);
    m_bandLow->replace(low);
    m_bandHigh->replace(high);
    top = top > 0 ? top * 1.15 : 1;
    const double fx = double(firedAt.toMSecsSinceEpoch());
    m_fired->replace({QPointF(fx, 0), QPointF(fx, top)});
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(qint64(values.first().x())).toLocalTime(),
                     QDateTime::fromMSecsSinceEpoch(qint64(values.last().x())).toLocalTime());
    m_value->setRange(0, top);
    m_value->applyNiceNumbers();
    show();
    emit drawn();
}

} // namespace fg
