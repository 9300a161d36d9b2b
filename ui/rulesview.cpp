#include "rulesview.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace fg {

RulesView::RulesView(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_table(new QTableWidget(0, 7)), m_name(new QLineEdit), m_condition(new QLineEdit),
      m_window(new QLineEdit(QStringLiteral("5m"))), m_for(new QLineEdit(QStringLiteral("0m"))), m_level(new QComboBox),
      m_service(new QLineEdit(QStringLiteral("*"))), m_channels(new QLineEdit), m_message(new QLabel)
{
    m_table->setHorizontalHeaderLabels({tr("On"), tr("Name"), tr("Condition"), tr("Window"), tr("Level"), tr("Service"), tr("Channels")});
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (const char *level : {"info", "warning", "error", "critical"})
        m_level->addItem(QString::fromLatin1(level));
    m_level->setCurrentIndex(1);
    m_condition->setPlaceholderText(tr("error_rate > 5% and p95_latency_ms > 800"));
    m_channels->setPlaceholderText(tr("empty: every channel"));
    m_message->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("Name:"), m_name);
    form->addRow(tr("Condition:"), m_condition);
    form->addRow(tr("Window:"), m_window);
    form->addRow(tr("For:"), m_for);
    form->addRow(tr("Level:"), m_level);
    form->addRow(tr("Service:"), m_service);
    form->addRow(tr("Channels:"), m_channels);
    m_add = new QPushButton(tr("Add rule"));
    auto *add = m_add;
    form->addRow(add);
    auto *box = new QGroupBox(tr("New rule"));
    box->setLayout(form);
    auto *remove = new QPushButton(tr("Delete selected rule"));
    connect(remove, &QPushButton::clicked, this, [this] {
        const int row = m_table->currentRow();
        if (row >= 0)
            removeRule(m_rules.at(row).toObject().value(QStringLiteral("id")).toInteger());
    });
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addWidget(remove, 0, Qt::AlignRight);
    layout->addWidget(box);
    layout->addWidget(m_message);
    connect(add, &QPushButton::clicked, this, [this] {
        if (m_editing)
            saveRule(m_editing, formRule());
        else
            addRule(formRule());
    });
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this](int row, int) { editRule(row); });
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (!m_filling && item->column() == 0)
            setEnabled(item->data(Qt::UserRole).toLongLong(), item->checkState() == Qt::Checked);
    });
}

QString RulesView::message() const { return m_message->text(); }

QJsonObject RulesView::formRule() const
{
    QJsonArray channels;
    for (const QString &c : m_channels->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        channels.append(c.trimmed());
    QJsonObject rule{{QStringLiteral("name"), m_name->text()},
                     {QStringLiteral("window"), m_window->text()},
                     {QStringLiteral("for"), m_for->text()},
                     {QStringLiteral("level"), m_level->currentText()},
                     {QStringLiteral("service"), m_service->text()},
                     {QStringLiteral("channels"), channels}};
    if (m_condition->isEnabled())
        rule.insert(QStringLiteral("condition"), m_condition->text());
    return rule;
}

void RulesView::editRule(int row)
{
    if (row < 0 || row >= m_rules.size())
        return;
    const QJsonObject r = m_rules.at(row).toObject();
    m_editing = r.value(QStringLiteral("id")).toInteger();
    m_name->setText(r.value(QStringLiteral("name")).toString());
    m_condition->setText(r.value(QStringLiteral("condition")).toString());
    m_condition->setEnabled(!r.value(QStringLiteral("builtin")).toBool()); // built-ins have no condition
    m_window->setText(r.value(QStringLiteral("window")).toString());
    m_for->setText(r.value(QStringLiteral("for")).toString());
    m_level->setCurrentText(r.value(QStringLiteral("level")).toString());
    m_service->setText(r.value(QStringLiteral("service")).toString());
    QStringList channels;
    for (const QJsonValue &c : r.value(QStringLiteral("channels")).toArray())
        channels << c.toString();
    m_channels->setText(channels.join(QStringLiteral(", ")));
    m_add->setText(tr("Save rule"));
}

void RulesView::saveRule(qint64 id, const QJsonObject &changes)
{
    m_api->send("PUT", "/api/rules/" + QByteArray::number(id), changes, this,
                [this](int status, const QJsonObject &json, const QByteArray &) {
                    if (status != 200)
                        return m_message->setText(ApiClient::errorText(json));
                    m_message->setText(tr("Saved rule %1").arg(json.value(QStringLiteral("name")).toString()));
                    m_editing = 0;
                    m_add->setText(tr("Add rule"));
                    m_condition->setEnabled(true);
                    m_name->clear();
                    m_condition->clear();
                    reload();
                });
}

void RulesView::reload()
{
    m_api->get("/api/rules", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200) {
            m_loadFailed = true;
            return m_message->setText(ApiClient::errorText(json));
        }
        // A message from before the engine answered ("not running") no longer holds.
        if (m_loadFailed)
            m_message->clear();
        m_loadFailed = false;
        m_rules = json.value(QStringLiteral("items")).toArray();
        m_filling = true;
        m_table->setRowCount(int(m_rules.size()));
        for (int row = 0; row < m_rules.size(); ++row) {
            const QJsonObject r = m_rules.at(row).toObject();
            auto *on = new QTableWidgetItem;
            on->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled);
            on->setCheckState(r.value(QStringLiteral("enabled")).toBool() ? Qt::Checked : Qt::Unchecked);
            on->setData(Qt::UserRole, r.value(QStringLiteral("id")).toInteger());
            m_table->setItem(row, 0, on);
            const QString condition = r.value(QStringLiteral("builtin")).toBool()
                                          ? tr("(built-in: %1)").arg(r.value(QStringLiteral("kind")).toString())
                                          : r.value(QStringLiteral("condition")).toString();
            QStringList channels;
            for (const QJsonValue &c : r.value(QStringLiteral("channels")).toArray())
                channels << c.toString();
            const QStringList cells{r.value(QStringLiteral("name")).toString(), condition,
                                    r.value(QStringLiteral("window")).toString(), r.value(QStringLiteral("level")).toString(),
                                    r.value(QStringLiteral("service")).toString(),
                                    channels.isEmpty() ? tr("all") : channels.join(QStringLiteral(", "))};
            for (int c = 0; c < cells.size(); ++c)
                m_table->setItem(row, c + 1, new QTableWidgetItem(cells[c]));
        }
        m_filling = false;
    });
}

void RulesView::addRule(const QJsonObject &rule)
{
    m_api->send("POST", "/api/rules", rule, this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 201)
            return m_message->setText(ApiClient::errorText(json));
        m_message->setText(tr("Added rule %1").arg(json.value(QStringLiteral("name")).toString()));
        m_name->clear();
        m_condition->clear();
        reload();
    });
}

void RulesView::removeRule(qint64 id)
{
    // Built-in rules answer 409 with the reason (they can be switched off, not deleted).
    m_api->send("DELETE", "/api/rules/" + QByteArray::number(id), {}, this,
                [this](int status, const QJsonObject &json, const QByteArray &) {
                    m_message->setText(status == 200 ? tr("Deleted") : ApiClient::errorText(json));
                    reload();
                });
}

void RulesView::setEnabled(qint64 id, bool enabled)
{
    m_api->send("PUT", "/api/rules/" + QByteArray::number(id), QJsonObject{{QStringLiteral("enabled"), enabled}}, this,
                [this](int status, const QJsonObject &json, const QByteArray &) {
                    m_message->setText(status == 200 ? tr("Saved") : ApiClient::errorText(json));
                    reload();
                });
}

} // namespace fg
