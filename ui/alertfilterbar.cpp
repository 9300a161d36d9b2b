#include "alertfilterbar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>

#include "timetext.h"
#include "timewindowdialog.h"

namespace fg {

namespace {
constexpr int kTypingMs = 300;
constexpr int kMaxTextChars = 256; // the API's limit for q
constexpr int kMaxServices = 500;  // names offered in the service box
// Range items carry their length in seconds; 0 is everything, -1 the custom window.
constexpr qint64 kCustom = -1;
} // namespace

AlertFilterBar::AlertFilterBar(QWidget *parent)
    : QWidget(parent), m_service(new QComboBox), m_level(new QComboBox), m_state(new QComboBox), m_range(new QComboBox),
      m_text(new QLineEdit)
{
    m_state->addItem(tr("Open"), QStringLiteral("open"));
    m_state->addItem(tr("All states"), QString());
    m_state->addItem(tr("Pending"), QStringLiteral("pending"));
    m_state->addItem(tr("Firing"), QStringLiteral("firing"));
    m_state->addItem(tr("Resolved"), QStringLiteral("resolved"));
    m_service->setEditable(true);
    m_service->setInsertPolicy(QComboBox::NoInsert);
    m_service->addItem(QString());
    m_service->lineEdit()->setPlaceholderText(tr("All services"));
    m_service->setMinimumContentsLength(12);
    m_level->addItem(tr("Any level"), QString());
    m_level->addItem(tr("Warning and above"), QStringLiteral("warning"));
    m_level->addItem(tr("Error and above"), QStringLiteral("error"));
    m_level->addItem(tr("Critical"), QStringLiteral("critical"));
    m_range->addItem(tr("Last hour"), qint64(3600));
    m_range->addItem(tr("Last 24 hours"), qint64(86400));
    m_range->addItem(tr("Last 7 days"), qint64(7 * 86400));
    m_range->addItem(tr("Last 30 days"), qint64(30 * 86400));
    m_range->addItem(tr("Everything"), qint64(0));
    m_range->addItem(tr("Custom…"), kCustom);
    m_range->setCurrentIndex(2);
    m_lastRange = 2;
    m_text->setPlaceholderText(tr("Search service, reason, explanation"));
    m_text->setMaxLength(kMaxTextChars);
    m_text->setClearButtonEnabled(true);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Show:")));
    layout->addWidget(m_state);
    layout->addWidget(m_service);
    layout->addWidget(m_level);
    layout->addWidget(m_range);
    layout->addWidget(m_text, 1);

    m_typing.setSingleShot(true);
    m_typing.setInterval(kTypingMs);
    connect(&m_typing, &QTimer::timeout, this, &AlertFilterBar::changed);
    connect(m_text, &QLineEdit::textChanged, this, [this] { m_typing.start(); });
    connect(m_service, &QComboBox::currentTextChanged, this, [this] { m_typing.start(); });
    for (QComboBox *box : {m_state, m_level})
        connect(box, &QComboBox::currentIndexChanged, this, &AlertFilterBar::changed);
    connect(m_range, &QComboBox::activated, this, [this](int index) {
        if (m_range->itemData(index).toLongLong() == kCustom)
            return chooseWindow();
        m_lastRange = index;
        emit changed();
    });
}

AlertFilter AlertFilterBar::filter() const
{
    AlertFilter f;
    f.service = m_service->currentText().trimmed();
    f.level = m_level->currentData().toString();
    f.state = m_state->currentData().toString();
    f.text = m_text->text().trimmed();
    const qint64 range = m_range->currentData().toLongLong();
    if (range == kCustom) {
        f.from = m_from;
        f.to = m_to;
    } else {
        f.rangeSeconds = range;
    }
    return f;
}

void AlertFilterBar::addServices(const QStringList &names)
{
    for (const QString &name : names) {
        if (m_service->count() >= kMaxServices)
            return;
        if (!name.isEmpty() && m_service->findText(name) < 0) {
            const QSignalBlocker block(m_service); // adding an offer changes no filter
            const QString typed = m_service->currentText();
            m_service->addItem(name);
            m_service->setEditText(typed);
        }
    }
}

void AlertFilterBar::setCombo(QComboBox *box, const QVariant &value)
{
    const int index = box->findData(value);
    if (index >= 0)
        box->setCurrentIndex(index);
}

void AlertFilterBar::setService(const QString &name)
{
    m_service->setEditText(name);
    m_typing.stop();
    emit changed();
}

void AlertFilterBar::setLevel(const QString &level) { setCombo(m_level, level); }
void AlertFilterBar::setState(const QString &state) { setCombo(m_state, state); }

void AlertFilterBar::setText(const QString &text)
{
    m_text->setText(text);
    m_typing.stop();
    emit changed();
}

void AlertFilterBar::setRange(qint64 seconds)
{
    int index = m_range->findData(seconds);
    if (index < 0 || seconds == kCustom)
        return;
    m_range->setCurrentIndex(index);
    m_lastRange = index;
    emit changed();
}

void AlertFilterBar::setWindow(const QDateTime &from, const QDateTime &to)
{
    m_from = from.toUTC();
    m_to = to.toUTC();
    const int custom = m_range->findData(kCustom);
    m_range->setItemText(custom, tr("%1 – %2").arg(localTime(m_from), localTime(m_to)));
    m_range->setCurrentIndex(custom);
    m_lastRange = custom;
    emit changed();
}

void AlertFilterBar::chooseWindow()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto *dialog = new TimeWindowDialog(m_from.isValid() ? m_from : now.addDays(-1), m_to.isValid() ? m_to : now, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { setWindow(dialog->from(), dialog->to()); });
    connect(dialog, &QDialog::rejected, this, [this] {
        const QSignalBlocker block(m_range);
        m_range->setCurrentIndex(m_lastRange);
    });
    dialog->open();
}

} // namespace fg
