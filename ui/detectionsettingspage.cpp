#include "detectionsettingspage.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace fg {

namespace {
enum SloColumn { Service, P95, ErrorRate };

QSpinBox *minutesBox(int max)
{
    auto *box = new QSpinBox;
    box->setRange(1, max);
    box->setSuffix(QStringLiteral(" min"));
    return box;
}
} // namespace

DetectionSettingsPage::DetectionSettingsPage(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_sensitivity(new QComboBox), m_for(minutesBox(60)), m_clear(minutesBox(120)),
      m_warmup(minutesBox(1440)), m_slos(new QTableWidget(0, 3)), m_message(new QLabel)
{
    m_sensitivity->addItem(tr("Low: only large, clear degradations"), QStringLiteral("low"));
    m_sensitivity->addItem(tr("Normal"), QStringLiteral("normal"));
    m_sensitivity->addItem(tr("High: early, smaller drifts too"), QStringLiteral("high"));
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    form->addRow(tr("Sensitivity:"), m_sensitivity);
    form->addRow(tr("Alert after a degradation lasts:"), m_for);
    form->addRow(tr("Resolve after it is gone for:"), m_clear);
    form->addRow(tr("Learn baselines for:"), m_warmup);
    m_slos->setObjectName(QStringLiteral("slos"));
    m_slos->setHorizontalHeaderLabels({tr("Service"), tr("p95 latency SLO (ms)"), tr("Error rate SLO (%)")});
    m_slos->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_slos->verticalHeader()->hide();
    auto *add = new QPushButton(tr("Add SLO"));
    auto *remove = new QPushButton(tr("Remove selected"));
    auto *saveButton = new QPushButton(tr("Save"));
    saveButton->setDefault(true);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch();
    buttons->addWidget(saveButton);
    auto *sloNote = new QLabel(tr("Per-service objectives: a service beyond its SLO counts as degraded whatever its "
                                  "baseline. Empty cells mean no objective."));
    sloNote->setWordWrap(true);
    m_message->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(sloNote);
    layout->addWidget(m_slos, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_message);
    connect(add, &QPushButton::clicked, this, [this] { addSlo({}, 0, 0); });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_slos->currentRow() >= 0)
            m_slos->removeRow(m_slos->currentRow());
    });
    connect(saveButton, &QPushButton::clicked, this, &DetectionSettingsPage::save);
}

QString DetectionSettingsPage::message() const { return m_message->text(); }

void DetectionSettingsPage::addSlo(const QString &service, double p95Ms, double errorRatePercent)
{
    const int row = m_slos->rowCount();
    m_slos->insertRow(row);
    m_slos->setItem(row, Service, new QTableWidgetItem(service));
    m_slos->setItem(row, P95, new QTableWidgetItem(p95Ms > 0 ? QString::number(p95Ms) : QString()));
    m_slos->setItem(row, ErrorRate, new QTableWidgetItem(errorRatePercent > 0 ? QString::number(errorRatePercent) : QString()));
    if (service.isEmpty())
        m_slos->editItem(m_slos->item(row, Service));
}

void DetectionSettingsPage::reload()
{
    m_api->get("/api/settings/detection", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return m_message->setText(ApiClient::errorText(json));
        fill(json);
        m_message->clear();
    });
}

void DetectionSettingsPage::fill(const QJsonObject &json)
{
    m_sensitivity->setCurrentIndex(qMax(0, m_sensitivity->findData(json.value(QStringLiteral("sensitivity")).toString())));
    m_for->setValue(json.value(QStringLiteral("for_minutes")).toInt());
    m_clear->setValue(json.value(QStringLiteral("clear_minutes")).toInt());
    m_warmup->setValue(json.value(QStringLiteral("warmup_minutes")).toInt());
    m_slos->setRowCount(0);
    const QJsonObject slos = json.value(QStringLiteral("slos")).toObject();
    for (auto it = slos.begin(); it != slos.end(); ++it) {
        const QJsonObject o = it.value().toObject();
        addSlo(it.key(), o.value(QStringLiteral("p95_latency_ms")).toDouble(), o.value(QStringLiteral("error_rate")).toDouble() * 100);
    }
}

QJsonObject DetectionSettingsPage::formJson() const
{
    QJsonObject slos;
    for (int row = 0; row < m_slos->rowCount(); ++row) {
        auto text = [&](int column) { return m_slos->item(row, column) ? m_slos->item(row, column)->text().trimmed() : QString(); };
        const QString service = text(Service);
        if (service.isEmpty())
            continue;
        QJsonObject o;
        // Numbers as typed, in the C locale of the API; the API names a bad one.
        bool ok = false;
        if (const QString p95 = text(P95); !p95.isEmpty()) {
            const double v = QLocale().toDouble(p95, &ok);
            o.insert(QStringLiteral("p95_latency_ms"), ok ? QJsonValue(v) : QJsonValue(p95));
        }
        if (const QString rate = text(ErrorRate); !rate.isEmpty()) {
            const double v = QLocale().toDouble(rate, &ok);
            o.insert(QStringLiteral("error_rate"), ok ? QJsonValue(v / 100) : QJsonValue(rate));
        }
        slos.insert(service, o);
    }
    return QJsonObject{{QStringLiteral("sensitivity"), m_sensitivity->currentData().toString()},
                       {QStringLiteral("for_minutes"), m_for->value()},
                       {QStringLiteral("clear_minutes"), m_clear->value()},
                       {QStringLiteral("warmup_minutes"), m_warmup->value()},
                       {QStringLiteral("slos"), slos}};
}

void DetectionSettingsPage::save()
{
    m_api->send("PUT", "/api/settings/detection", formJson(), this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return m_message->setText(tr("Not saved: %1").arg(ApiClient::errorText(json)));
        fill(json);
        m_message->setText(tr("Saved; detection uses these settings from now on."));
    });
}

} // namespace fg
