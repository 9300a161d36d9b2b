#pragma once

#include <QDateTime>
#include <QDialog>

class QDateTimeEdit;

namespace fg {

// Asks for a fixed time window (from, to) in local time, e.g. around an incident in the past. GUI thread.
class TimeWindowDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimeWindowDialog)

public:
    TimeWindowDialog(const QDateTime &from, const QDateTime &to, QWidget *parent = nullptr);

    QDateTime from() const;
    QDateTime to() const;
    void setWindow(const QDateTime &from, const QDateTime &to);

private:
    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
};

} // namespace fg
