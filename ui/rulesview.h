#pragma once

#include <QJsonArray>
#include <QWidget>

#include "apiclient.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace fg {

// Alert rules: the built-in and user rules with their condition, window, level and channels; a rule
// is switched on or off with its checkbox; new threshold rules are added with the form below, and the
// API's error (which names the field and, for a condition, the column) is shown as it comes.
class RulesView final : public QWidget {
    Q_OBJECT

public:
    explicit RulesView(const ApiClient *api, QWidget *parent = nullptr);

    void reload();
    void addRule(const QJsonObject &rule);
    void setEnabled(qint64 id, bool enabled);
    void removeRule(qint64 id);
    // Puts a rule into the form for editing; saving then replaces it (PUT).
    void editRule(int row);
    void saveRule(qint64 id, const QJsonObject &changes);
    QJsonArray rules() const { return m_rules; }
    QString message() const;

private:
    const ApiClient *m_api;
    QJsonArray m_rules;
    QTableWidget *m_table;
    QLineEdit *m_name;
    QLineEdit *m_condition;
    QLineEdit *m_window;
    QLineEdit *m_for;
    QComboBox *m_level;
    QLineEdit *m_service;
    QLineEdit *m_channels;
    QLabel *m_message;
    QPushButton *m_add;
    qint64 m_editing = 0; // rule in the form, 0: a new one
    bool m_filling = false;
    bool m_loadFailed = false; // the message shows why the list could not load
    QJsonObject formRule() const;
};

} // namespace fg
