#pragma once

#include <QDateTime>
#include <QTimer>
#include <QWidget>

#include "apiclient.h"
#include "timelinechart.h"

class QComboBox;
class QLabel;
class QSplitter;
class QTableView;
class QToolButton;

namespace fg {

class EndpointsModel;
class PatternsModel;
struct KpiSeries;

// One service in depth: drift timelines of p95/p99 latency, error rate and throughput over the chosen
// range with the learned baseline band and the degradations shaded (zoom and pan move all three
// together), its endpoints scored like the service (a double click shows that endpoint's timelines),
// and its top error patterns. Relative ranges follow
// the clock every 10 s while visible. GUI thread; data only through the API client.
class ServiceView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServiceView)

public:
    explicit ServiceView(const ApiClient *api, QWidget *parent = nullptr);

    void showService(const QString &name);
    // One endpoint's timelines within the service (empty: the whole service again).
    void showEndpoint(const QString &endpoint);
    QString endpoint() const { return m_endpoint; }
    // A fixed window instead of the last 15 m … 7 d (e.g. an incident in the past).
    void showWindow(const QDateTime &from, const QDateTime &to);
    void refresh();
    QString service() const { return m_service; }
    // The chosen relative range (index into 15 min … 7 days), for the window's saved state.
    int rangeIndex() const;
    void setRangeIndex(int index);

    TimelineChart *latencyChart() const { return m_latency; }
    TimelineChart *errorChart() const { return m_errors; }
    TimelineChart *throughputChart() const { return m_throughput; }
    EndpointsModel *endpointsModel() const { return m_endpoints; }
    PatternsModel *patternsModel() const { return m_patterns; }
    QComboBox *rangeBox() const { return m_range; }

signals:
    // After the timelines were drawn (tests and the screenshot tool wait for it).
    void timelinesLoaded();
    void openLogs(const QString &service);
    // An alert marker on a timeline was clicked.
    void openAlert(qint64 id);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void loadTimelines(const QDateTime &from, const QDateTime &to, qint64 stepMinutes);
    void drawTimelines(KpiSeries kpis, QList<TimelineChart::Span> spans, QList<TimelineChart::Marker> markers, qint64 fromMs,
                       qint64 toMs);
    void loadHealth();
    void loadPatterns(const QDateTime &from, const QDateTime &to);
    void followRange(qint64 fromMs, qint64 toMs);
    void chooseWindow();

    const ApiClient *m_api;
    QString m_service;
    QString m_endpoint; // empty: the whole service
    QLabel *m_title;
    QToolButton *m_wholeService;
    QLabel *m_summary;
    QComboBox *m_range;
    TimelineChart *m_latency;
    TimelineChart *m_errors;
    TimelineChart *m_throughput;
    EndpointsModel *m_endpoints;
    PatternsModel *m_patterns;
    QTableView *m_endpointTable;
    QTableView *m_patternTable;
    QSplitter *m_split;
    QTimer m_timer;
    QDateTime m_fixedFrom, m_fixedTo; // set: a fixed window
    int m_lastRange = 1;              // the choice before "Custom…", restored when it is cancelled
    bool m_keepZoom = false;          // a refresh of the same range keeps the user's zoom
    int m_generation = 0;             // answers for an older request are dropped
};

} // namespace fg
