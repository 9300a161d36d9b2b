#include "tracedialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "statepalette.h"
#include "timetext.h"

namespace fg {

namespace {
enum Column { Time, Service, Level, What, Duration, ColumnCount };
}

TraceDialog::TraceDialog(const ApiClient *api, const QString &traceId, QWidget *parent)
    : QDialog(parent), m_tree(new QTreeWidget), m_message(new QLabel(tr("Loading…")))
{
    setWindowTitle(tr("Trace %1").arg(traceId));
    setObjectName(QStringLiteral("traceDialog"));
    m_tree->setColumnCount(ColumnCount);
    m_tree->setHeaderLabels({tr("Time"), tr("Service"), tr("Level"), tr("Span or message"), tr("Duration")});
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(What, QHeaderView::Stretch);
    m_tree->header()->setStretchLastSection(false);
    m_message->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_message);
    layout->addWidget(m_tree, 1);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(900, 480);
    api->get("/api/traces/" + traceId.toLatin1(), this, [this](int status, const QJsonObject &json, const QByteArray &) {
        if (status != 200)
            m_message->setText(ApiClient::errorText(json));
        else
            fill(json);
        emit loaded();
    });
}

QString TraceDialog::message() const { return m_message->text(); }

QTreeWidgetItem *TraceDialog::addEvent(const QJsonObject &e, QTreeWidgetItem *parent)
{
    auto *item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(m_tree);
    const QJsonObject attributes = e.value(QStringLiteral("attributes")).toObject();
    item->setText(Time, localTime(apiTime(e.value(QStringLiteral("ts")).toString())));
    item->setText(Service, e.value(QStringLiteral("service")).toString());
    const QString level = e.value(QStringLiteral("level")).toString();
    item->setText(Level, level);
    item->setIcon(Level, StatePalette::levelIcon(level));
    item->setText(What, e.value(QStringLiteral("message")).toString());
    item->setToolTip(What, e.value(QStringLiteral("message")).toString());
    if (const QJsonValue d = attributes.value(QStringLiteral("duration_ms")); d.isDouble())
        item->setText(Duration, tr("%1 ms").arg(QLocale().toString(d.toDouble(), 'f', 1)));
    ++m_events;
    for (const QJsonValue &log : e.value(QStringLiteral("logs")).toArray())
        addEvent(log.toObject(), item);
    for (const QJsonValue &child : e.value(QStringLiteral("children")).toArray())
        addEvent(child.toObject(), item);
    return item;
}

void TraceDialog::fill(const QJsonObject &trace)
{
    for (const QJsonValue &span : trace.value(QStringLiteral("spans")).toArray())
        addEvent(span.toObject(), nullptr);
    for (const QJsonValue &log : trace.value(QStringLiteral("logs")).toArray())
        addEvent(log.toObject(), nullptr);
    m_tree->expandAll();
    QString text = tr("%n span(s)", nullptr, trace.value(QStringLiteral("span_count")).toInt()) + QStringLiteral(", ")
                   + tr("%n log event(s)", nullptr, trace.value(QStringLiteral("log_count")).toInt());
    if (trace.value(QStringLiteral("truncated")).toBool())
        text += QLatin1Char(' ') + tr("(the newest %1 events only)").arg(trace.value(QStringLiteral("max_events")).toInt());
    m_message->setText(text);
}

} // namespace fg
