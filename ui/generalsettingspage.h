#pragma once

#include <QWidget>

#include "apiclient.h"

class QLabel;
class QLineEdit;
class QSettings;

namespace fg {

// Settings → General: the listener's address and port and how long raw data is kept. Saved in the
// settings file and used from the next start (a flag or the environment still wins); the running
// values come from /api/config. GUI thread.
class GeneralSettingsPage final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GeneralSettingsPage)

public:
    explicit GeneralSettingsPage(const ApiClient *api, QWidget *parent = nullptr);

    void setSettings(QSettings *settings);
    void reload();
    // Validated as the command line would be; false (with the reason shown) when not saved.
    bool save();
    QLineEdit *listen() const { return m_listen; }
    QLineEdit *retention() const { return m_retention; }
    QString message() const;

private:
    const ApiClient *m_api;
    QSettings *m_settings = nullptr;
    QLineEdit *m_listen;
    QLineEdit *m_retention;
    QLabel *m_running;
    QLabel *m_message;
};

} // namespace fg
