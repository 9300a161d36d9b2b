#pragma once

#include <QTimer>
#include <QWidget>

#include "apiclient.h"
#include "servicerow.h"

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace fg {

class ServicesModel;

// The first view: one row per service, worst first, with its health, latency against its baseline,
// errors, throughput, open alerts, last seen and a sparkline of the last hour; a text filter; Enter or
// a double click opens the service. With no service yet it says how to send the first event to this
// listener. Refreshes every 2 s while visible (sparklines every 30 s), one request chain at a time.
// GUI thread; data comes only through the API client.
class ServicesOverview final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServicesOverview)

public:
    explicit ServicesOverview(const ApiClient *api, QWidget *parent = nullptr);

    void refresh();
    void setListenAddress(const QString &address, bool tls = false); // tls: the listener speaks HTTPS only
    ServicesModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    bool showsEmptyState() const;
    // Ctrl+F: into the filter.
    void focusSearch();

signals:
    void openService(const QString &name);
    // After each completed refresh (tests and the screenshot tool wait for it).
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;

private:
    void showRows(QList<ServiceRow> rows);
    void loadSparklines();
    void openCurrent();

    const ApiClient *m_api;
    ServicesModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTableView *m_table;
    QLineEdit *m_filter;
    QStackedWidget *m_pages;
    QLabel *m_empty;
    QLabel *m_status;
    QTimer m_timer;
    QString m_listen;
    bool m_busy = false;  // a refresh chain is in flight
    qint64 m_sparklinesAt = 0;
};

} // namespace fg
