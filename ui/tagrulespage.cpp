#include "tagrulespage.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace fg {

namespace {
enum Column { Tag, Words, MinStatus };

QStringList wordsOf(const QJsonObject &rule)
{
    QStringList words;
    for (const QJsonValue &w : rule.value(QStringLiteral("words")).toArray())
        words << w.toString();
    return words;
}
} // namespace

TagRulesPage::TagRulesPage(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_api(api), m_rules(new QTableWidget(0, 3)), m_builtin(new QLabel), m_message(new QLabel)
{
    m_rules->setObjectName(QStringLiteral("tagRules"));
    m_rules->setHorizontalHeaderLabels({tr("Tag"), tr("Words or phrases (comma-separated)"), tr("From HTTP status")});
    m_rules->horizontalHeader()->setSectionResizeMode(Words, QHeaderView::Stretch);
    m_rules->verticalHeader()->hide();
    auto *intro = new QLabel(tr("Events whose message contains any of the words (whole words, any case), or whose "
                                "status is at least the given one, get the tag; tags filter logs and patterns."));
    intro->setWordWrap(true);
    m_builtin->setWordWrap(true);
    m_message->setWordWrap(true);
    auto *add = new QPushButton(tr("Add rule"));
    auto *remove = new QPushButton(tr("Remove selected"));
    auto *saveButton = new QPushButton(tr("Save"));
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addStretch();
    buttons->addWidget(saveButton);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_rules, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_builtin);
    layout->addWidget(m_message);
    connect(add, &QPushButton::clicked, this, [this] { addRule({}, {}, 0); });
    connect(remove, &QPushButton::clicked, this, [this] {
        if (m_rules->currentRow() >= 0)
            m_rules->removeRow(m_rules->currentRow());
    });
    connect(saveButton, &QPushButton::clicked, this, &TagRulesPage::save);
}

QString TagRulesPage::message() const { return m_message->text(); }

void TagRulesPage::addRule(const QString &tag, const QStringList &words, int minStatus)
{
    const int row = m_rules->rowCount();
    m_rules->insertRow(row);
    m_rules->setItem(row, Tag, new QTableWidgetItem(tag));
    m_rules->setItem(row, Words, new QTableWidgetItem(words.join(QStringLiteral(", "))));
    m_rules->setItem(row, MinStatus, new QTableWidgetItem(minStatus ? QString::number(minStatus) : QString()));
    if (tag.isEmpty())
        m_rules->editItem(m_rules->item(row, Tag));
}

void TagRulesPage::reload()
{
    m_api->get("/api/settings/tags", this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return m_message->setText(ApiClient::errorText(json));
        fill(json);
        m_message->clear();
    });
}

void TagRulesPage::fill(const QJsonObject &json)
{
    m_rules->setRowCount(0);
    for (const QJsonValue &v : json.value(QStringLiteral("rules")).toArray()) {
        const QJsonObject r = v.toObject();
        addRule(r.value(QStringLiteral("tag")).toString(), wordsOf(r), r.value(QStringLiteral("min_status")).toInt());
    }
    QStringList builtin;
    for (const QJsonValue &v : json.value(QStringLiteral("builtin")).toArray())
        builtin << v.toObject().value(QStringLiteral("tag")).toString();
    m_builtin->setText(tr("Built-in tags, always applied: %1").arg(builtin.join(QStringLiteral(", "))));
}

QJsonObject TagRulesPage::formJson() const
{
    QJsonArray rules;
    for (int row = 0; row < m_rules->rowCount(); ++row) {
        auto text = [&](int column) { return m_rules->item(row, column) ? m_rules->item(row, column)->text().trimmed() : QString(); };
        if (text(Tag).isEmpty() && text(Words).isEmpty() && text(MinStatus).isEmpty())
            continue; // an empty row added and never filled
        QJsonObject rule{{QStringLiteral("tag"), text(Tag)}};
        QJsonArray words;
        for (const QString &w : text(Words).split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (!w.trimmed().isEmpty())
                words.append(w.trimmed());
        if (!words.isEmpty())
            rule.insert(QStringLiteral("words"), words);
        if (const QString status = text(MinStatus); !status.isEmpty()) {
            bool ok = false;
            const int v = status.toInt(&ok);
            rule.insert(QStringLiteral("min_status"), ok ? QJsonValue(v) : QJsonValue(status)); // the API names a bad one
        }
        rules.append(rule);
    }
    return QJsonObject{{QStringLiteral("rules"), rules}};
}

void TagRulesPage::save()
{
    m_api->send("PUT", "/api/settings/tags", formJson(), this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            return m_message->setText(tr("Not saved: %1").arg(ApiClient::errorText(json)));
        fill(json);
        m_message->setText(tr("Saved; new events are tagged with these rules."));
    });
}

} // namespace fg
