#include "alerthistorychart.h"

#include <QBarSet>
#include <QCategoryAxis>
#include <QChart>
#include <QGraphicsScene>
#include <QLegend>
#include <QPainter>
#include <QStackedBarSeries>
#include <QValueAxis>

#include <algorithm>

#include "alerttext.h"
#include "statepalette.h"

namespace fg {

namespace {
constexpr int kMaxLabels = 8;
} // namespace

AlertHistoryChart::AlertHistoryChart(QWidget *parent)
    : QChartView(new QChart, parent), m_time(new QCategoryAxis), m_count(new QValueAxis)
{
    // Given to the view's constructor: setChart() would leave the view's default chart to us (LeakSanitizer).
    QChart *chart = this->chart();
    auto *series = new QStackedBarSeries;
    for (std::size_t i = 0; i < kLevels.size(); ++i) {
        const QString level = QString::fromLatin1(kLevels[i]);
        m_sets[i] = new QBarSet(alertLevelText(level));
        series->append(m_sets[i]);
    }
    series->setBarWidth(0.9);
    chart->addSeries(series);
    m_time->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    m_count->setLabelFormat(QStringLiteral("%d"));
    m_count->setMin(0);
    chart->addAxis(m_time, Qt::AlignBottom);
    chart->addAxis(m_count, Qt::AlignLeft);
    series->attachAxis(m_time);
    series->attachAxis(m_count);
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    scene()->setItemIndexMethod(QGraphicsScene::NoIndex); // its items move on each update (see TimelineChart)
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(140);
    applyPalette();
}

void AlertHistoryChart::applyPalette()
{
    StatePalette::styleChart(chart(), palette());
    for (std::size_t i = 0; i < kLevels.size(); ++i) {
        const QColor colour = StatePalette::levelBar(QString::fromLatin1(kLevels[i]));
        m_sets[i]->setColor(colour);
        m_sets[i]->setBorderColor(colour);
    }
}

void AlertHistoryChart::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

qint64 AlertHistoryChart::stepFor(qint64 rangeSeconds)
{
    return rangeSeconds > 0 && rangeSeconds <= 7 * 86400 ? 3600 : 86400;
}

void AlertHistoryChart::setBuckets(QDateTime from, const QDateTime &to, qint64 stepSeconds, const QList<Bucket> &buckets)
{
    const QDateTime labelledFrom = m_from;
    const int labelledBars = m_bars;
    const qint64 labelledStep = m_step;
    m_step = std::max<qint64>(stepSeconds, 1);
    if (!from.isValid())
        from = buckets.isEmpty() ? to.addSecs(-86400) : buckets.first().at;
    // Bars start on whole steps (UTC), as the API counts them; the newest bars win if there are too many.
    const qint64 first = from.toSecsSinceEpoch() - from.toSecsSinceEpoch() % m_step;
    const qint64 last = std::max(first, to.toSecsSinceEpoch());
    const qint64 wanted = (last - first) / m_step + 1;
    m_bars = int(std::min<qint64>(wanted, kMaxBars));
    m_from = QDateTime::fromSecsSinceEpoch(first + (wanted - m_bars) * m_step, Qt::UTC);

    std::array<QList<qreal>, 4> values;
    for (auto &v : values)
        v.fill(0, m_bars);
    int highest = 0;
    for (const Bucket &b : buckets) {
        const qint64 bar = (b.at.toSecsSinceEpoch() - m_from.toSecsSinceEpoch()) / m_step;
        if (bar < 0 || bar >= m_bars)
            continue;
        int sum = 0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            values[i][bar] += b.counts[i];
            sum += int(values[i][bar]);
        }
        highest = std::max(highest, sum);
    }
    // Each bar is an item of its own in Qt Charts: only bars whose count changed are touched, and an
    // unchanged range keeps its labels (the view asks again every few seconds).
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (m_sets[i]->count() != m_bars) {
            m_sets[i]->remove(0, m_sets[i]->count());
            m_sets[i]->append(values[i]);
            continue;
        }
        for (int bar = 0; bar < m_bars; ++bar)
            if (m_sets[i]->at(bar) != values[i][bar])
                m_sets[i]->replace(bar, values[i][bar]);
    }
    m_count->setRange(0, std::max(1, highest));
    m_count->applyNiceNumbers();
    if (m_from == labelledFrom && m_bars == labelledBars && m_step == labelledStep)
        return;
    // A label every few bars, at most kMaxLabels, in local time.
    for (const QString &label : m_time->categoriesLabels())
        m_time->remove(label);
    const int every = std::max(1, (m_bars + kMaxLabels - 1) / kMaxLabels);
    const QString format = m_step < 86400 ? QStringLiteral("MM-dd HH:mm") : QStringLiteral("yyyy-MM-dd");
    m_time->setRange(-0.5, m_bars - 0.5);
    m_time->setStartValue(-1); // each label sits at the start of its bar
    for (int bar = 0; bar < m_bars; bar += every)
        m_time->append(m_from.addSecs(bar * m_step).toLocalTime().toString(format), bar - 0.5);
    m_time->setTitleText(m_step < 86400 ? tr("Alerts per hour") : tr("Alerts per day"));
}

int AlertHistoryChart::count(const QDateTime &at, const QString &level) const
{
    const auto it = std::find_if(kLevels.begin(), kLevels.end(), [&](const char *l) { return level == QLatin1String(l); });
    if (it == kLevels.end() || !m_from.isValid())
        return 0;
    const qint64 bar = (at.toSecsSinceEpoch() - m_from.toSecsSinceEpoch()) / m_step;
    if (at < m_from || bar >= m_bars)
        return 0;
    return int(m_sets[std::size_t(it - kLevels.begin())]->at(int(bar)));
}

} // namespace fg
