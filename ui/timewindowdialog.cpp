#include "timewindowdialog.h"

#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QPushButton>

namespace fg {

TimeWindowDialog::TimeWindowDialog(const QDateTime &from, const QDateTime &to, QWidget *parent)
    : QDialog(parent), m_from(new QDateTimeEdit), m_to(new QDateTimeEdit)
{
    setWindowTitle(tr("Time window"));
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        edit->setCalendarPopup(true);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    }
    setWindow(from, to);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    auto *form = new QFormLayout(this);
    form->addRow(tr("From:"), m_from);
    form->addRow(tr("To:"), m_to);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // An empty or reversed window shows nothing: not offered.
    auto check = [this, buttons] { buttons->button(QDialogButtonBox::Ok)->setEnabled(this->from() < this->to()); };
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, check);
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, check);
    check();
}

QDateTime TimeWindowDialog::from() const { return m_from->dateTime().toUTC(); }
QDateTime TimeWindowDialog::to() const { return m_to->dateTime().toUTC(); }

void TimeWindowDialog::setWindow(const QDateTime &from, const QDateTime &to)
{
    m_from->setDateTime(from.toLocalTime());
    m_to->setDateTime(to.toLocalTime());
}

} // namespace fg
