#pragma once

#include <QDialog>

class QComboBox;
class QLineEdit;

namespace fg {

// Asks for how long to silence the named services' alerts, who silences them (prefilled) and why.
// GUI thread.
class SilenceDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SilenceDialog)

public:
    SilenceDialog(const QStringList &services, const QString &name, QWidget *parent = nullptr);

    int minutes() const;
    QString name() const;
    QString comment() const;

private:
    QComboBox *m_duration;
    QLineEdit *m_name;
    QLineEdit *m_comment;
};

} // namespace fg
