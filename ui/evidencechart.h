#pragma once

#include <QChartView>
#include <QDateTime>
#include <QJsonObject>

#include "apiclient.h"

class QAreaSeries;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace fg {

// An alert's evidence: the KPI that fired (p95 latency, error rate or throughput, from its reason and
// explanation) for its service or endpoint, a minute per point from 30 minutes before it fired to its
// end, with the learned baseline band and a line at the firing time (GET /api/kpis?baseline=1). At most
// a few hundred points. GUI thread.
class EvidenceChart final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EvidenceChart)

public:
    enum class Kpi { Latency, ErrorRate, Throughput };

    EvidenceChart(const ApiClient *api, QWidget *parent = nullptr);

    // The alert as GET /api/alerts/{id} answers it; hides itself for alerts with nothing to show.
    void showAlert(const QJsonObject &alert);
    static Kpi kpiFor(const QString &reason, const QString &explanation);
    Kpi kpi() const { return m_kpi; }
    int points() const;

signals:
    void drawn();

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();
    void draw(const QJsonArray &items, const QDateTime &firedAt);

    const ApiClient *m_api;
    QLineSeries *m_values;
    QLineSeries *m_bandLow;
    QLineSeries *m_bandHigh;
    QAreaSeries *m_band;
    QLineSeries *m_fired;
    QDateTimeAxis *m_time;
    QValueAxis *m_value;
    Kpi m_kpi = Kpi::Latency;
    qint64 m_alert = 0; // the alert shown, so a late answer for another is dropped
};

} // namespace fg
