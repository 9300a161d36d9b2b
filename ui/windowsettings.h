#pragma once

#include <QByteArray>
#include <QString>

class QSettings;

namespace fg {

// What the window remembers between runs, every key in one place: group "window" of the application's
// settings file (the same file that holds saved options). GUI thread.
class WindowSettings final {
public:
    explicit WindowSettings(QSettings *settings) : m_settings(settings) {}

    QByteArray geometry() const;
    void setGeometry(const QByteArray &geometry);
    QByteArray splitter(const QString &name) const;
    void setSplitter(const QString &name, const QByteArray &state);
    // A table's or tree's column widths and order (QHeaderView::saveState), by the view's object name.
    QByteArray columns(const QString &view) const;
    void setColumns(const QString &view, const QByteArray &state);
    int view() const;
    void setView(int index);
    int serviceRange() const; // index of the service view's range choice; -1: none saved
    void setServiceRange(int index);
    int logsRange() const;
    void setLogsRange(int index);
    // The name alerts are acknowledged with from this window.
    QString acknowledger() const;
    void setAcknowledger(const QString &name);
    // The folder alert reports were last exported to.
    QString exportFolder() const;
    void setExportFolder(const QString &folder);
    // The "FlowGuard keeps running in the tray" notice is shown once.
    bool trayNoticeShown() const;
    void setTrayNoticeShown();

private:
    QSettings *m_settings;
};

} // namespace fg
