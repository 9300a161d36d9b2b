#pragma once

#include <QTimer>
#include <QWidget>

#include "apiclient.h"

class QLabel;
class QPushButton;
class QTableView;
class QTextBrowser;

namespace fg {

class AlertFilterBar;
class AlertHistoryChart;
class AlertsModel;
class EvidenceChart;

// Alert history: filters (service, level, state, time range, text) that the table, the chart of alerts
// per hour and the CSV export all follow; details (explanation, history, deliveries per channel),
// acknowledge and test alert. Refreshes are coalesced and skipped while hidden; the table updates in place.
// GUI thread; everything goes through the API client (the export writes on its own thread).
class AlertsView final : public QWidget {
    Q_OBJECT

public:
    explicit AlertsView(const ApiClient *api, QWidget *parent = nullptr);

    // Asks again soon (calls within a short while make one request of each kind); nothing while hidden.
    void refresh();
    // Selects the alert and shows its details (a clicked notification).
    void showAlert(qint64 id);
    void acknowledgeSelected(const QString &by, const QString &note);
    void sendTestAlert();
    // Writes what the filters show to `path`, page by page off the GUI thread, with a progress dialog whose
    // Cancel leaves no file; its folder is where the next export dialog opens.
    void exportCsv(const QString &path);
    AlertsModel *model() const { return m_model; }
    AlertFilterBar *filterBar() const { return m_filters; }
    AlertHistoryChart *chart() const { return m_chart; }
    // The selected alert's KPI around its firing time, in the detail pane.
    EvidenceChart *evidenceChart() const { return m_evidence; }
    // Where the export dialog opens (the folder of the last export, remembered between runs).
    void setExportFolder(const QString &folder) { m_exportFolder = folder; }
    QString exportFolder() const { return m_exportFolder; }
    // Who acknowledges from this window: asked once in the dialog (default: the login name), then offered again.
    void setAcknowledger(const QString &name) { m_acknowledger = name; }
    QString acknowledger() const { return m_acknowledger; }

signals:
    void exportFinished(bool ok, const QString &message);
    void acknowledged(qint64 id);
    void acknowledgerChanged(const QString &name);
    void exportFolderChanged(const QString &folder);
    // After a refresh of the table (and of the chart) was applied.
    void refreshed();
    void chartRefreshed();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void fetch();
    void fetchChart(const QByteArray &query);
    void chooseAndExport();
    void askAndAcknowledge();
    void loadDetails(qint64 id);
    void updateActions();
    qint64 selectedId() const;

    const ApiClient *m_api;
    AlertsModel *m_model;
    QTableView *m_table;
    QTextBrowser *m_details;
    AlertFilterBar *m_filters;
    AlertHistoryChart *m_chart;
    EvidenceChart *m_evidence;
    QLabel *m_status;
    QTimer m_timer;
    QTimer m_coalesce;
    bool m_inFlight = false;
    bool m_again = false;
    QString m_exportFolder;
    qint64 m_pendingShow = 0;
    QString m_acknowledger;
    QPushButton *m_ack;
};

} // namespace fg
