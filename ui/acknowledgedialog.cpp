#include "acknowledgedialog.h"

#include <algorithm>

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace fg {

AcknowledgeDialog::AcknowledgeDialog(const QString &alertTitle, const QString &name, QWidget *parent)
    : QDialog(parent), m_name(new QLineEdit(name)), m_note(new QLineEdit)
{
    setWindowTitle(tr("Acknowledge alert"));
    // One line per acknowledged thing (several incidents are listed one under the other).
    const QStringList lines = alertTitle.split(QLatin1Char('\n'));
    QStringList escaped;
    int widest = 0;
    for (const QString &line : lines) {
        escaped << line.toHtmlEscaped();
        widest = std::max(widest, fontMetrics().horizontalAdvance(line));
    }
    auto *title = new QLabel(QStringLiteral("<b>%1</b>").arg(escaped.join(QStringLiteral("<br>"))));
    title->setWordWrap(true);
    title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_name->setPlaceholderText(tr("Who takes care of it"));
    m_note->setPlaceholderText(tr("Optional, e.g. \"rolling back the deploy\""));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Acknowledge"));
    auto *form = new QFormLayout(this);
    form->addRow(title);
    form->addRow(tr("Your name:"), m_name);
    form->addRow(tr("Note:"), m_note);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // A name is what the acknowledgement is for.
    connect(m_name, &QLineEdit::textChanged, this, [buttons](const QString &text) {
        buttons->button(QDialogButtonBox::Ok)->setEnabled(!text.trimmed().isEmpty());
    });
    buttons->button(QDialogButtonBox::Ok)->setEnabled(!name.trimmed().isEmpty());
    (name.isEmpty() ? m_name : m_note)->setFocus();
    setMinimumWidth(std::clamp(widest + 60, 420, 900)); // longer titles wrap
}

QString AcknowledgeDialog::loginName()
{
    for (const char *variable : {"USER", "LOGNAME", "USERNAME"})
        if (const QString name = qEnvironmentVariable(variable); !name.isEmpty())
            return name;
    return {};
}

QString AcknowledgeDialog::name() const { return m_name->text().trimmed(); }
QString AcknowledgeDialog::note() const { return m_note->text().trimmed(); }

} // namespace fg
