#pragma once

#include <QDialog>
#include <QJsonArray>

#include "apiclient.h"

class QCheckBox;
class QDialogButtonBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace fg {

// Settings → Notification channels: the configured channels (secrets shown redacted), adding one
// (the URL goes to the keychain through the API), removing one, and a test alert to all of them.
class ChannelsDialog final : public QDialog {
    Q_OBJECT

public:
    explicit ChannelsDialog(const ApiClient *api, QWidget *parent = nullptr);

    void reload();
    // Shown as a page of the Settings view: no Close button, loaded when the page is shown.
    void setEmbedded();
    // A test alert through every enabled channel (POST /api/test-alert).
    void sendTest();
    // Adds a channel as the form would; the API's answer (or its error) shows in the dialog.
    void addChannel(const QString &type, const QString &name, const QString &url, const QString &to);
    // Changes a channel; an empty URL keeps the stored one.
    void updateChannel(qint64 id, const QString &name, const QString &url, const QString &to, bool enabled);
    QJsonArray channels() const { return m_channels; }
    QString message() const;

signals:
    void changed();

private:
    void removeSelected();

    QDialogButtonBox *m_buttons = nullptr;
    const ApiClient *m_api;
    QJsonArray m_channels;
    QListWidget *m_list;
    QComboBox *m_type;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QLineEdit *m_to;
    QCheckBox *m_enabled;
    QLabel *m_message;
    void fillFrom(int row);
};

} // namespace fg
