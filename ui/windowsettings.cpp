#include "windowsettings.h"

#include <QSettings>

namespace fg {

namespace {
const QString kGeometry = QStringLiteral("window/geometry");
const QString kSplitters = QStringLiteral("window/splitters/");
const QString kColumns = QStringLiteral("window/columns/");
const QString kView = QStringLiteral("window/view");
const QString kServiceRange = QStringLiteral("window/service_range");
const QString kLogsRange = QStringLiteral("window/logs_range");
const QString kAcknowledger = QStringLiteral("window/acknowledger");
const QString kExportFolder = QStringLiteral("window/export_folder");
const QString kTrayNotice = QStringLiteral("window/tray_notice_shown");
} // namespace

QByteArray WindowSettings::geometry() const { return m_settings->value(kGeometry).toByteArray(); }
void WindowSettings::setGeometry(const QByteArray &geometry) { m_settings->setValue(kGeometry, geometry); }
QByteArray WindowSettings::splitter(const QString &name) const { return m_settings->value(kSplitters + name).toByteArray(); }
void WindowSettings::setSplitter(const QString &name, const QByteArray &state) { m_settings->setValue(kSplitters + name, state); }
QByteArray WindowSettings::columns(const QString &view) const { return m_settings->value(kColumns + view).toByteArray(); }
void WindowSettings::setColumns(const QString &view, const QByteArray &state) { m_settings->setValue(kColumns + view, state); }
int WindowSettings::view() const { return m_settings->value(kView, 0).toInt(); }
void WindowSettings::setView(int index) { m_settings->setValue(kView, index); }
int WindowSettings::serviceRange() const { return m_settings->value(kServiceRange, -1).toInt(); }
void WindowSettings::setServiceRange(int index) { m_settings->setValue(kServiceRange, index); }
int WindowSettings::logsRange() const { return m_settings->value(kLogsRange, -1).toInt(); }
void WindowSettings::setLogsRange(int index) { m_settings->setValue(kLogsRange, index); }
QString WindowSettings::acknowledger() const { return m_settings->value(kAcknowledger).toString(); }
void WindowSettings::setAcknowledger(const QString &name) { m_settings->setValue(kAcknowledger, name); }
QString WindowSettings::exportFolder() const { return m_settings->value(kExportFolder).toString(); }
void WindowSettings::setExportFolder(const QString &folder) { m_settings->setValue(kExportFolder, folder); }
bool WindowSettings::trayNoticeShown() const { return m_settings->value(kTrayNotice, false).toBool(); }
void WindowSettings::setTrayNoticeShown() { m_settings->setValue(kTrayNotice, true); }

} // namespace fg
