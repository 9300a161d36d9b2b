#pragma once

#include <QTimer>
#include <QWidget>

#include "apiclient.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTextBrowser;
class QTreeView;

namespace fg {

class IncidentsModel;
struct IncidentRow;

// Incidents, the primary list of the alerts area: one row per incident with its alerts beneath; several
// can be acknowledged (every open alert nobody has taken) or silenced (their services, for a chosen time)
// in one action. Refreshes are coalesced and skipped while hidden; the model updates in place.
// GUI thread; everything goes through the API client.
class IncidentsView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IncidentsView)

public:
    explicit IncidentsView(const ApiClient *api, QWidget *parent = nullptr);

    // Asks again soon (calls within a short while make one request); nothing while hidden.
    void refresh();
    IncidentsModel *model() const { return m_model; }
    QTreeView *tree() const { return m_tree; }
    // Ids of the selected incidents (an alert row stands for its incident), in list order.
    QList<qint64> selectedIncidents() const;
    // Acknowledges every alert of the selected incidents that is open and not yet acknowledged.
    void acknowledgeSelected(const QString &by, const QString &note);
    // Silences the selected incidents' services for `minutes`.
    void silenceSelected(int minutes, const QString &by, const QString &comment);
    void setAcknowledger(const QString &name) { m_acknowledger = name; }
    QString acknowledger() const { return m_acknowledger; }
    QString message() const;
    // Selects this incident once the list has it (a clicked notification); 0 just shows the list.
    void showIncident(qint64 id);

signals:
    // After a refresh was applied to the model.
    void refreshed();
    void acknowledged(int alerts);
    void silenced(int services);
    void acknowledgerChanged(const QString &name);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void fetch();
    void askAndAcknowledge();
    void askAndSilence();
    void rememberName(const QString &name);
    void updateActions();
    void showCurrent();

    const ApiClient *m_api;
    IncidentsModel *m_model;
    QTreeView *m_tree;
    QTextBrowser *m_details;
    QComboBox *m_state;
    QLabel *m_status;
    QPushButton *m_ack;
    QPushButton *m_silence;
    QTimer m_poll;
    QTimer m_coalesce;
    bool m_inFlight = false;
    bool m_again = false;
    QString m_acknowledger;
    qint64 m_pendingShow = 0; // selected when a refresh brings it
};

} // namespace fg
