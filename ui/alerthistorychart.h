#pragma once

#include <QChartView>
#include <QDateTime>
#include <QList>

#include <array>

class QBarSet;
class QCategoryAxis;
class QValueAxis;

namespace fg {

// Alerts per step (an hour, or a day over long ranges) by level, stacked, over the alert history's
// range (GET /api/alerts/histogram with the history's filters). Bars are at most kMaxBars. GUI thread.
class AlertHistoryChart final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertHistoryChart)

public:
    // The levels, in stacking order (bottom first).
    static constexpr std::array<const char *, 4> kLevels{"info", "warning", "error", "critical"};
    struct Bucket {
        QDateTime at; // start of the step, UTC
        std::array<int, 4> counts{}; // by kLevels
    };
    static constexpr int kMaxBars = 800;

    explicit AlertHistoryChart(QWidget *parent = nullptr);

    // Step length for a range: an hour up to 7 days, else a day.
    static qint64 stepFor(qint64 rangeSeconds);
    // Draws [from, to) in steps of `stepSeconds`; `from` invalid: from the first bucket.
    void setBuckets(QDateTime from, const QDateTime &to, qint64 stepSeconds, const QList<Bucket> &buckets);
    int bars() const { return m_bars; }
    // Alerts of `level` in the bar holding `at` (0 outside the chart).
    int count(const QDateTime &at, const QString &level) const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();

    std::array<QBarSet *, 4> m_sets{};
    QCategoryAxis *m_time;
    QValueAxis *m_count;
    QDateTime m_from;
    qint64 m_step = 3600;
    int m_bars = 0;
};

} // namespace fg
