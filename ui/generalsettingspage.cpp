#include "generalsettingspage.h"

#include <QFormLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

#include "config/engineconfig.h"
#include "timetext.h"

namespace fg {

namespace {
const QString kListen = QStringLiteral("listen");
const QString kRetention = QStringLiteral("retention");
} // namespace

GeneralSettingsPage::GeneralSettingsPage(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_listen(new QLineEdit), m_retention(new QLineEdit), m_running(new QLabel),
      m_message(new QLabel)
{
    m_listen->setPlaceholderText(QStringLiteral("127.0.0.1:4318"));
    m_listen->setToolTip(tr("ADDR:PORT. Any address but loopback needs an API token (see API tokens)."));
    m_retention->setPlaceholderText(QStringLiteral("7d"));
    m_retention->setToolTip(tr("How long raw logs and metric points are kept: 12h, 7d, 30d… or off to keep all."));
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    form->addRow(tr("Listener address:"), m_listen);
    form->addRow(tr("Keep raw data for:"), m_retention);
    auto *note = new QLabel(tr("These take effect when FlowGuard restarts. A command-line flag or a FLOWGUARD_… "
                               "environment variable wins over what is saved here."));
    note->setWordWrap(true);
    m_running->setWordWrap(true);
    m_running->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setWordWrap(true);
    auto *saveButton = new QPushButton(tr("Save"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(saveButton, 0, Qt::AlignLeft);
    layout->addWidget(m_message);
    layout->addWidget(m_running);
    layout->addStretch();
    connect(saveButton, &QPushButton::clicked, this, &GeneralSettingsPage::save);
}

QString GeneralSettingsPage::message() const { return m_message->text(); }

void GeneralSettingsPage::setSettings(QSettings *settings)
{
    m_settings = settings;
    if (!settings)
        return;
    m_listen->setText(settings->value(kListen).toString());
    m_retention->setText(settings->value(kRetention).toString());
}

void GeneralSettingsPage::reload()
{
    m_api->get("/api/config", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return m_running->setText(ApiClient::errorText(json));
        const qint64 retention = json.value(QStringLiteral("retention_seconds")).toInteger();
        m_running->setText(tr("Running now: listening on %1, keeping raw data %2.")
                               .arg(json.value(QStringLiteral("listen")).toString(),
                                    retention > 0 ? tr("for %1").arg(durationText(retention)) : tr("forever")));
    });
}

bool GeneralSettingsPage::save()
{
    // The same parser as the command line, so what is saved here starts.
    QHash<QString, QString> values;
    const QString listen = m_listen->text().trimmed();
    const QString retention = m_retention->text().trimmed();
    if (!listen.isEmpty())
        values.insert(kListen, listen);
    if (!retention.isEmpty())
        values.insert(kRetention, retention);
    const ConfigResult checked = resolveConfig(values, QProcessEnvironment(), nullptr);
    for (const QString &e : checked.errors)
        if (e.contains(kListen) || e.contains(kRetention)) {
            m_message->setText(tr("Not saved: %1").arg(e));
            return false;
        }
    if (m_settings) {
        for (const QString &key : {kListen, kRetention}) {
            if (values.contains(key))
                m_settings->setValue(key, values.value(key));
            else
                m_settings->remove(key);
        }
    }
    m_message->setText(tr("Saved. Restart FlowGuard to use them."));
    return true;
}

} // namespace fg
