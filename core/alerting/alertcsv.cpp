#include "alertcsv.h"

#include <QJsonArray>

namespace fg {

namespace {

std::string quoted(const std::string &field)
{
    if (field.find_first_of(",\"\r\n") == std::string::npos)
        return field;
    std::string out = "\"";
    for (char c : field) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + '"';
}

std::string isoOrEmpty(TimeNs t) { return t ? formatIsoMs(t) : std::string(); }

// Seconds the alert has fired: up to its resolution, or up to now while it fires; none while pending.
std::string durationSeconds(const Alert &a, TimeNs now)
{
    if (!a.firedAt)
        return {};
    const TimeNs end = a.resolvedAt ? a.resolvedAt : std::max(now, a.firedAt);
    return std::to_string((end - a.firedAt) / kNsPerSec);
}

std::string channels(const Alert &a)
{
    std::string out;
    for (const std::string &c : a.channels)
        out += (out.empty() ? "" : ";") + c;
    return out;
}

} // namespace

std::string alertCsvHeader()
{
    return "id,service,endpoint,reason,level,state,fired_at,resolved_at,acknowledged_by,acknowledged_at,duration_s,"
           "explanation,channels\r\n";
}

std::string alertCsvRow(const Alert &a, TimeNs now)
{
    const std::string fields[] = {std::to_string(a.id),
                                  a.service,
                                  a.endpoint,
                                  a.reason,
                                  std::string(alertLevelName(a.level)),
                                  std::string(alertStateName(a.state)),
                                  isoOrEmpty(a.firedAt),
                                  isoOrEmpty(a.resolvedAt),
                                  a.acknowledgedBy,
                                  isoOrEmpty(a.acknowledgedAt),
                                  durationSeconds(a, now),
                                  a.explanation,
                                  channels(a)};
    std::string row;
    for (const std::string &f : fields) {
        if (!row.empty())
            row += ',';
        row += quoted(f);
    }
    return row + "\r\n";
}

QJsonObject alertJson(const Alert &a, TimeNs now)
{
    auto time = [](TimeNs t) { return t ? QJsonValue(QString::fromStdString(formatIsoMs(t))) : QJsonValue(); };
    auto text = [](const std::string &s) { return s.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(s)); };
    QJsonArray list;
    for (const std::string &c : a.channels)
        list.append(QString::fromStdString(c));
    const std::string duration = durationSeconds(a, now);
    return QJsonObject{
        {QStringLiteral("id"), qint64(a.id)},
        {QStringLiteral("service"), QString::fromStdString(a.service)},
        {QStringLiteral("endpoint"), QString::fromStdString(a.endpoint)},
        {QStringLiteral("reason"), QString::fromStdString(a.reason)},
        {QStringLiteral("level"), QString::fromUtf8(alertLevelName(a.level).data())},
        {QStringLiteral("state"), QString::fromUtf8(alertStateName(a.state).data())},
        {QStringLiteral("fired_at"), time(a.firedAt)},
        {QStringLiteral("resolved_at"), time(a.resolvedAt)},
        {QStringLiteral("acknowledged_by"), text(a.acknowledgedBy)},
        {QStringLiteral("acknowledged_at"), time(a.acknowledgedAt)},
        {QStringLiteral("duration_s"), duration.empty() ? QJsonValue() : QJsonValue(qint64(std::stoll(duration)))},
        {QStringLiteral("explanation"), QString::fromStdString(a.explanation)},
        {QStringLiteral("channels"), list},
        {QStringLiteral("rule_id"), qint64(a.ruleId)},
        {QStringLiteral("pending_since"), time(a.pendingSince)},
        {QStringLiteral("ack_note"), text(a.ackNote)},
        {QStringLiteral("silenced"), a.silenced},
        {QStringLiteral("test"), a.test},
        {QStringLiteral("incident_id"), a.incidentId ? QJsonValue(qint64(a.incidentId)) : QJsonValue()},
        {QStringLiteral("pages"), a.pages},
    };
}

} // namespace fg
