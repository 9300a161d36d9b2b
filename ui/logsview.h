#pragma once

#include <QTimer>
#include <QWidget>

#include "apiclient.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;

namespace fg {

class LogsModel;

// Stored logs: search by service, minimum level, text and time range; results page in as the table
// scrolls; Follow keeps the newest events coming in on top (every 2 s while visible) and the view at
// the top. GUI thread; data through the API client.
class LogsView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogsView)

public:
    explicit LogsView(const ApiClient *api, QWidget *parent = nullptr);

    void search();
    void setFollow(bool on);
    // Ctrl+F: into the text search.
    void focusSearch();
    // Shows this service's logs (from the service view).
    void showService(const QString &service);
    void reloadServices();
    // The chosen time range (index of Last 15 min … Everything), for the window's saved state.
    int rangeIndex() const;
    void setRangeIndex(int index);
    LogsModel *model() const { return m_model; }
    QComboBox *levelFilter() const { return m_level; }
    QTableView *table() const { return m_table; }
    // The selected event's details, with its trace as a link when it has one.
    QLabel *details() const { return m_details; }
    // Opens the trace's events (a clicked trace link).
    void openTrace(const QString &traceId);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void updateStatus();
    void showDetails();

    const ApiClient *m_api;
    LogsModel *m_model;
    QTableView *m_table;
    QComboBox *m_service;
    QComboBox *m_level;
    QLineEdit *m_text;
    QComboBox *m_range;
    QCheckBox *m_follow;
    QLabel *m_status;
    QLabel *m_details;
    QTimer m_tail;
    bool m_searched = false;
};

} // namespace fg
