#pragma once

#include <QTimer>
#include <QWidget>

#include "apiclient.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTableView;
class QTextBrowser;

namespace fg {

class AlertsModel;

// Alert history: filter by state, details (explanation, history, deliveries per channel), acknowledge,
// test alert and CSV export. Refreshes every few seconds; everything goes through the API client.
class AlertsView final : public QWidget {
    Q_OBJECT

public:
    explicit AlertsView(const ApiClient *api, QWidget *parent = nullptr);

    void refresh();
    // Selects the alert and shows its details (a clicked notification).
    void showAlert(qint64 id);
    void acknowledgeSelected(const QString &by, const QString &note);
    void sendTestAlert();
    // Writes the report for `range` ("24h", "7d", "" for all) to `path`, with a progress dialog.
    void exportCsv(const QString &path, const QString &range);
    AlertsModel *model() const { return m_model; }
    // Who acknowledges from this window: asked once in the dialog (default: the login name), then offered again.
    void setAcknowledger(const QString &name) { m_acknowledger = name; }
    QString acknowledger() const { return m_acknowledger; }

signals:
    void exportFinished(bool ok, const QString &message);
    void acknowledged(qint64 id);
    void acknowledgerChanged(const QString &name);

private:
    void chooseAndExport();
    void askAndAcknowledge();
    void loadDetails(qint64 id);
    void updateActions();
    qint64 selectedId() const;

    const ApiClient *m_api;
    AlertsModel *m_model;
    QTableView *m_table;
    QTextBrowser *m_details;
    QComboBox *m_state;
    QLabel *m_status;
    QTimer m_timer;
    qint64 m_pendingShow = 0;
    QString m_acknowledger;
    QPushButton *m_ack;
};

} // namespace fg
