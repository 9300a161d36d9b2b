#pragma once

#include <QDialog>

#include "apiclient.h"

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

namespace fg {

// One trace's events (GET /api/traces/{id}): spans nested under their parents with their logs beneath,
// across services, oldest first; durations and levels shown. Opened from a log event's trace link.
// GUI thread; the answer is bounded by the API (at most 10,000 events).
class TraceDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TraceDialog)

public:
    TraceDialog(const ApiClient *api, const QString &traceId, QWidget *parent = nullptr);

    QTreeWidget *tree() const { return m_tree; }
    QString message() const;
    // Events shown (spans and logs).
    int eventCount() const { return m_events; }

signals:
    void loaded();

private:
    void fill(const QJsonObject &trace);
    QTreeWidgetItem *addEvent(const QJsonObject &event, QTreeWidgetItem *parent);

    QTreeWidget *m_tree;
    QLabel *m_message;
    int m_events = 0;
};

} // namespace fg
