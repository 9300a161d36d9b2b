#include "channelsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace fg {

ChannelsDialog::ChannelsDialog(const ApiClient *api, QWidget *parent)
    : QDialog(parent), m_api(api), m_list(new QListWidget), m_type(new QComboBox), m_name(new QLineEdit), m_url(new QLineEdit),
      m_to(new QLineEdit), m_enabled(new QCheckBox(tr("Enabled"))), m_message(new QLabel)
{
    setWindowTitle(tr("Notification channels"));
    m_type->addItem(tr("Slack incoming webhook"), QStringLiteral("slack"));
    m_type->addItem(tr("Webhook (Alertmanager JSON)"), QStringLiteral("webhook"));
    m_type->addItem(tr("E-mail (SMTP)"), QStringLiteral("email"));
    m_type->addItem(tr("Desktop notifications"), QStringLiteral("desktop"));
    m_url->setEchoMode(QLineEdit::Password); // a webhook URL is a secret
    m_url->setPlaceholderText(tr("https://hooks.slack.com/services/… or smtps://user:password@host"));
    m_to->setPlaceholderText(tr("ops@example.org, lead@example.org"));
    m_message->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("Type:"), m_type);
    form->addRow(tr("Name:"), m_name);
    form->addRow(tr("URL:"), m_url);
    form->addRow(tr("E-mail to:"), m_to);
    m_enabled->setChecked(true);
    form->addRow(m_enabled);
    auto *add = new QPushButton(tr("Add channel"));
    auto *save = new QPushButton(tr("Save changes to the selected channel"));
    form->addRow(add);
    form->addRow(save);
    auto *box = new QGroupBox(tr("Channel"));
    box->setLayout(form);
    auto *remove = new QPushButton(tr("Remove selected"));
    auto *test = new QPushButton(tr("Send test alert"));
    test->setToolTip(tr("Raises a test alert that goes through every enabled channel"));
    auto *listButtons = new QHBoxLayout;
    listButtons->addWidget(remove);
    listButtons->addStretch();
    listButtons->addWidget(test);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_buttons = buttons;
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_list);
    layout->addLayout(listButtons);
    layout->addWidget(box);
    layout->addWidget(m_message);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(remove, &QPushButton::clicked, this, &ChannelsDialog::removeSelected);
    connect(test, &QPushButton::clicked, this, &ChannelsDialog::sendTest);
    connect(add, &QPushButton::clicked, this, [this] {
        addChannel(m_type->currentData().toString(), m_name->text(), m_url->text(), m_to->text());
    });
    connect(save, &QPushButton::clicked, this, [this] {
        if (const QListWidgetItem *item = m_list->currentItem())
            updateChannel(item->data(Qt::UserRole).toLongLong(), m_name->text(), m_url->text(), m_to->text(), m_enabled->isChecked());
    });
    connect(m_list, &QListWidget::currentRowChanged, this, &ChannelsDialog::fillFrom);
    connect(m_type, &QComboBox::currentIndexChanged, this, [this] {
        const QString type = m_type->currentData().toString();
        m_url->setEnabled(type != QLatin1String("desktop"));
        m_to->setEnabled(type == QLatin1String("email"));
    });
    m_to->setEnabled(false);
    reload();
}

QString ChannelsDialog::message() const { return m_message->text(); }

void ChannelsDialog::setEmbedded()
{
    setWindowFlags(Qt::Widget);
    m_buttons->hide();
}

void ChannelsDialog::sendTest()
{
    m_api->send("POST", "/api/test-alert", {}, this, [this](int status, const QJsonObject &json, const QByteArray &) {
        m_message->setText(status == 202 ? tr("Test alert %1 raised; each enabled channel is sent it (see its deliveries "
                                              "in Alerts).")
                                               .arg(json.value(QStringLiteral("id")).toInteger())
                                         : ApiClient::errorText(json));
    });
}

void ChannelsDialog::reload()
{
    m_api->get("/api/channels", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return m_message->setText(ApiClient::errorText(json));
        m_channels = json.value(QStringLiteral("items")).toArray();
        m_list->clear();
        for (const QJsonValue &v : m_channels) {
            const QJsonObject c = v.toObject();
            auto *item = new QListWidgetItem(QStringLiteral("%1 — %2 %3%4")
                                                 .arg(c.value(QStringLiteral("name")).toString(), c.value(QStringLiteral("type")).toString(),
                                                      c.value(QStringLiteral("target")).toString(),
                                                      c.value(QStringLiteral("enabled")).toBool() ? QString() : tr(" (disabled)")));
            item->setData(Qt::UserRole, c.value(QStringLiteral("id")).toInteger());
            m_list->addItem(item);
        }
        m_message->setText(tr("Secrets: %1").arg(json.value(QStringLiteral("secret_store")).toString()));
    });
}

void ChannelsDialog::addChannel(const QString &type, const QString &name, const QString &url, const QString &to)
{
    QJsonObject body{{QStringLiteral("type"), type}, {QStringLiteral("name"), name.trimmed()}};
    if (!url.isEmpty())
        body.insert(QStringLiteral("url"), url.trimmed());
    if (!to.isEmpty())
        body.insert(QStringLiteral("to"), to);
    m_api->send("POST", "/api/channels", body, this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 201)
            return m_message->setText(ApiClient::errorText(json));
        m_name->clear();
        m_url->clear();
        m_to->clear();
        m_message->setText(tr("Added %1").arg(json.value(QStringLiteral("name")).toString()));
        reload();
        emit changed();
    });
}

void ChannelsDialog::fillFrom(int row)
{
    if (row < 0 || row >= m_channels.size())
        return;
    const QJsonObject c = m_channels.at(row).toObject();
    m_type->setCurrentIndex(m_type->findData(c.value(QStringLiteral("type")).toString()));
    m_name->setText(c.value(QStringLiteral("name")).toString());
    m_url->clear(); // the stored URL is a secret: left empty, it stays as it is
    QStringList to;
    for (const QJsonValue &v : c.value(QStringLiteral("to")).toArray())
        to << v.toString();
    m_to->setText(to.join(QStringLiteral(", ")));
    m_enabled->setChecked(c.value(QStringLiteral("enabled")).toBool());
}

void ChannelsDialog::updateChannel(qint64 id, const QString &name, const QString &url, const QString &to, bool enabled)
{
    QJsonObject body{{QStringLiteral("name"), name.trimmed()}, {QStringLiteral("enabled"), enabled}};
    if (!url.trimmed().isEmpty())
        body.insert(QStringLiteral("url"), url.trimmed());
    if (!to.trimmed().isEmpty())
        body.insert(QStringLiteral("to"), to);
    m_api->send("PUT", "/api/channels/" + QByteArray::number(id), body, this,
                [this](int status, const QJsonObject &json, const QByteArray &) {
                    m_message->setText(status == 200 ? tr("Saved %1").arg(json.value(QStringLiteral("name")).toString())
                                                     : ApiClient::errorText(json));
                    reload();
                    emit changed();
                });
}

void ChannelsDialog::removeSelected()
{
    const QListWidgetItem *item = m_list->currentItem();
    if (!item)
        return;
    const qint64 id = item->data(Qt::UserRole).toLongLong();
    m_api->send("DELETE", "/api/channels/" + QByteArray::number(id), {}, this,
                [this](int status, const QJsonObject &json, const QByteArray &) {
                    m_message->setText(status == 200 ? tr("Removed") : ApiClient::errorText(json));
                    reload();
                    emit changed();
                });
}

} // namespace fg
