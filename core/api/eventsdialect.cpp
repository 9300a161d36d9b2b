#include "eventsdialect.h"

#include <QJsonArray>
#include <QJsonObject>

#include "apierror.h"

namespace fg {

namespace {

HttpResponse refused(int status, const QString &message, const QString &field, QJsonObject details = {})
{
    details.insert(QStringLiteral("field"), field);
    return jsonResponse(status, QJsonObject{{QStringLiteral("success"), false},
                                            {QStringLiteral("error"), QLatin1String(errorKind(status))},
                                            {QStringLiteral("message"), message},
                                            {QStringLiteral("data"), QJsonValue()},
                                            {QStringLiteral("details"), details}});
}

} // namespace

std::optional<BodyFormat> EventsDialect::formatFor(const QByteArray &type) const
{
    if (type == "application/json" || type.isEmpty() || type == "application/x-www-form-urlencoded")
        return BodyFormat::Json;
    return std::nullopt;
}

HttpResponse EventsDialect::unsupportedType(const QByteArray &type) const
{
    return refused(415, QStringLiteral("Content-Type '%1' is not supported; send application/json").arg(QString::fromLatin1(type)),
                   QStringLiteral("Content-Type"));
}

HttpResponse EventsDialect::malformed(const std::string &message) const
{
    return refused(400, QStringLiteral("body: %1").arg(QString::fromStdString(message)), QStringLiteral("body"));
}

HttpResponse EventsDialect::committed(int accepted, int duplicates, const ItemErrors &errors) const
{
    return answer({}, {}, accepted, duplicates, errors);
}

HttpResponse EventsDialect::allRejected(const ItemErrors &errors) const
{
    const ItemError &first = errors.front();
    const QString field = first.field.empty() ? QStringLiteral("body") : QString::fromStdString(first.field);
    QString message = QStringLiteral("%1 %2").arg(field, QString::fromStdString(first.message));
    QJsonObject details{{QStringLiteral("rejected"), errors.total()}};
    if (m_batch) {
        message = QStringLiteral("event %1: %2; nothing of the batch was stored").arg(first.index).arg(message);
        details.insert(QStringLiteral("index"), first.index);
        QJsonArray list;
        for (const ItemError &e : errors)
            list.append(QJsonObject{{QStringLiteral("index"), e.index},
                                    {QStringLiteral("field"), e.field.empty() ? QJsonValue() : QString::fromStdString(e.field)},
                                    {QStringLiteral("message"), QString::fromStdString(e.message)}});
        details.insert(QStringLiteral("errors"), list);
    }
    return refused(400, message, field, details);
}

HttpResponse EventsDialect::answer(const std::string &, const std::vector<std::string> &ids, int accepted,
                                   int duplicates, const ItemErrors &errors) const
{
    if (accepted == 0 && !errors.empty())
        return allRejected(errors);
    QJsonObject data;
    QString message;
    if (m_batch) {
        QJsonArray list;
        for (const std::string &id : ids)
            list.append(QString::fromStdString(id));
        data = QJsonObject{{QStringLiteral("event_ids"), list},
                           {QStringLiteral("count"), accepted},
                           {QStringLiteral("stored"), accepted - duplicates},
                           {QStringLiteral("duplicates"), duplicates}};
        message = duplicates ? QStringLiteral("%1 events accepted, %2 of them already stored").arg(accepted).arg(duplicates)
                             : QStringLiteral("%1 events stored").arg(accepted);
    } else {
        data = QJsonObject{{QStringLiteral("event_id"), ids.empty() ? QJsonValue() : QString::fromStdString(ids.front())},
                           {QStringLiteral("duplicate"), duplicates > 0}};
        message = duplicates ? QStringLiteral("event already stored") : QStringLiteral("event stored");
    }
    return jsonResponse(201, QJsonObject{{QStringLiteral("success"), true},
                                         {QStringLiteral("message"), message},
                                         {QStringLiteral("data"), data}});
}

HttpResponse EventsDialect::tooManyItems(int limit) const
{
    return refused(413, QStringLiteral("events holds more than %1 events; split the batch").arg(limit),
                   QStringLiteral("events"),
                   QJsonObject{{QStringLiteral("limit"), QStringLiteral("max_events_per_batch")}, {QStringLiteral("max"), limit}});
}

} // namespace fg
