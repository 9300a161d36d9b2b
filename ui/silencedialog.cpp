#include "silencedialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace fg {

SilenceDialog::SilenceDialog(const QStringList &services, const QString &name, QWidget *parent)
    : QDialog(parent), m_duration(new QComboBox), m_name(new QLineEdit(name)), m_comment(new QLineEdit)
{
    setWindowTitle(tr("Silence incidents"));
    auto *what = new QLabel(tr("<b>Silence every alert of %1</b>").arg(services.join(QStringLiteral(", ")).toHtmlEscaped()));
    what->setWordWrap(true);
    what->setTextInteractionFlags(Qt::TextSelectableByMouse);
    for (const auto &[minutes, text] : {std::pair{30, tr("30 minutes")}, std::pair{60, tr("1 hour")},
                                        std::pair{120, tr("2 hours")}, std::pair{240, tr("4 hours")},
                                        std::pair{480, tr("8 hours")}, std::pair{1440, tr("1 day")}})
        m_duration->addItem(text, minutes);
    m_duration->setCurrentIndex(1);
    m_name->setPlaceholderText(tr("Who silences them"));
    m_comment->setPlaceholderText(tr("Optional, e.g. \"deploy in progress\""));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Silence"));
    auto *form = new QFormLayout(this);
    form->addRow(what);
    form->addRow(tr("For:"), m_duration);
    form->addRow(tr("Your name:"), m_name);
    form->addRow(tr("Comment:"), m_comment);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, [buttons](const QString &text) {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(!text.trimmed().isEmpty());
    });
    buttons->button(QDialogButtonBox::Ok)->setEnabled(!name.trimmed().isEmpty());
    setMinimumWidth(420);
}

int SilenceDialog::minutes() const { return m_duration->currentData().toInt(); }
QString SilenceDialog::name() const { return m_name->text().trimmed(); }
QString SilenceDialog::comment() const { return m_comment->text().trimmed(); }

} // namespace fg
