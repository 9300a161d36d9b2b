#pragma once

#include <QDialog>

class QLineEdit;

namespace fg {

// Asks who acknowledges an alert or several incidents (prefilled with the remembered name, else the login
// name) and an optional note; what is acknowledged is named in the dialog (one line each) so the right
// thing is acknowledged. GUI thread.
class AcknowledgeDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AcknowledgeDialog)

public:
    AcknowledgeDialog(const QString &alertTitle, const QString &name, QWidget *parent = nullptr);

    QString name() const;
    QString note() const;
    // The login name offered until someone gives another.
    static QString loginName();

private:
    QLineEdit *m_name;
    QLineEdit *m_note;
};

} // namespace fg
