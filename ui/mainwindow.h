#pragma once

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include "apiclient.h"
#include "engine/enginestats.h"
#include "ingestrate.h"

class QHeaderView;
class QLabel;
class QMessageBox;
class QSettings;
class QSystemTrayIcon;
class QTabWidget;

namespace fg {

class AlertsView;
class DemoController;
class ConnectPanel;
class IncidentsView;
class LogsView;
class RulesView;
class SettingsView;
class TrayNotifier;
class ServicesOverview;
class ServiceView;

// The window: the services overview first, then one service's timelines, logs, incidents and alerts, rules;
// engine counters in the status bar; channel settings in a dialog. Closing it keeps FlowGuard
// monitoring in the tray (said once); Quit is explicit (Ctrl+Q, File and tray menus), and without a
// tray closing asks. The title counts firing alerts. GUI thread only; it holds no engine objects and
// never touches SQLite or sockets — views ask the API through an in-process transport.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(QWidget *parent = nullptr);

    // Connects the views to the engine's API (once it runs) and loads them.
    void setApi(ApiClient::Transport transport);
    // Before the engine is ready: the views wait (disabled) and the status bar says why.
    void showStarting();
    void showStartFailed(const QString &error);
    bool engineReady() const { return m_api.ready(); }
    // The desktop's tray icon (none: closing asks). Gets the Open/Quit menu and shows the worst state.
    void setTray(QSystemTrayIcon *tray);
    // Desktop notifications: clicks open their incident; "Mute notifications for 1 h" (tray and Settings
    // menus) mutes it, and the status bar says so while muted.
    void setNotifier(TrayNotifier *notifier);
    QAction *muteAction() const { return m_mute; }
    // Where geometry, splitters, the current view and the chosen ranges are kept; restored at once.
    void setSettings(QSettings *settings);
    // Adds the demo's actions in a Demo menu; Clear's answer goes to the status bar and the views reload.
    void setDemo(DemoController *demo);
    ServicesOverview *servicesOverview() const { return m_overview; }
    ServiceView *serviceView() const { return m_service; }
    LogsView *logsView() const { return m_logs; }
    AlertsView *alertsView() const { return m_alerts; }
    IncidentsView *incidentsView() const { return m_incidents; }
    RulesView *rulesView() const;
    SettingsView *settingsView() const { return m_settingsView; }
    ConnectPanel *connectPanel() const { return m_connect; }
    int firingAlerts() const { return m_firing; }

public slots:
    void showStats(const fg::EngineStats &stats);
    // Brings the window up on this alert (a clicked notification).
    void showAlert(qint64 id);
    // Brings the window up on this incident (0: the incidents list).
    void showIncident(qint64 id);
    void openChannels();
    // Ctrl+,: the Settings view.
    void openSettings();
    // Help → Connect a client: the snippets and the ingest inspector.
    void openConnect();
    void openService(const QString &name);
    // F5: the visible view asks again now.
    void refreshCurrent();
    void bringUp();
    // Ctrl+F: the search field of the view that has one (the Logs view for the others).
    void find();
    void showAbout();
    // Saves the layout and asks the application to end (the engine then stops).
    void quit();

signals:
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void saveLayout();
    QList<QHeaderView *> columnHeaders() const;
    void refreshFiring();
    void showWorstState();

    ApiClient m_api;
    QTabWidget *m_tabs;
    QLabel *m_listen;
    QLabel *m_rate;
    QLabel *m_stored;
    QLabel *m_database;
    QLabel *m_muted;
    QAction *m_mute;
    QPointer<TrayNotifier> m_notifier;
    ServicesOverview *m_overview;
    ServiceView *m_service;
    LogsView *m_logs;
    QTabWidget *m_alertsArea; // incidents, alert history
    IncidentsView *m_incidents;
    AlertsView *m_alerts;
    SettingsView *m_settingsView; // rules, channels, detection, tags, tokens, listener
    ConnectPanel *m_connect;
    QPointer<QSystemTrayIcon> m_tray; // owned by the notifier
    QSettings *m_settings = nullptr;
    QPointer<QMessageBox> m_askQuit;
    QTimer m_firingTimer;
    IngestRate m_ingestRate;
    QElapsedTimer m_clock; // monotonic time for the ingest rate
    int m_firing = 0;
    bool m_quitting = false;
};

} // namespace fg
