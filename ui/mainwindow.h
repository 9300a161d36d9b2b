#pragma once

#include <QMainWindow>

#include "apiclient.h"
#include "engine/enginestats.h"

class QLabel;
class QTabWidget;

namespace fg {

class AlertsView;
class RulesView;
class ServicesOverview;
class ServiceView;
class LogsView;

// The window: the services overview first, then one service's timelines, logs, alerts and rules; engine counters in the status bar;
// channel settings in a dialog. GUI thread only; it holds no engine objects and never touches SQLite or
// sockets — views ask the API through an in-process transport.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);

    // Connects the views to the engine's API (once it runs) and loads them.
    void setApi(ApiClient::Transport transport);
    ServicesOverview *servicesOverview() const { return m_overview; }
    ServiceView *serviceView() const { return m_service; }
    LogsView *logsView() const { return m_logs; }
    AlertsView *alertsView() const { return m_alerts; }
    RulesView *rulesView() const { return m_rules; }

public slots:
    void showStats(const fg::EngineStats &stats);
    // Brings the window up on this alert (a clicked notification).
    void showAlert(qint64 id);
    void openChannels();
    void openService(const QString &name);
    // F5: the visible view asks again now.
    void refreshCurrent();

private:
    void buildMenus();

    ApiClient m_api;
    QTabWidget *m_tabs;
    QLabel *m_listen;
    QLabel *m_rate;
    QLabel *m_stored;
    QLabel *m_database;
    ServicesOverview *m_overview;
    ServiceView *m_service;
    LogsView *m_logs;
    AlertsView *m_alerts;
    RulesView *m_rules;
};

} // namespace fg
