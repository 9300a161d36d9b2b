#include "notificationmessages.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <cstdio>

namespace fg {

namespace {

QString q(const std::string &s) { return QString::fromStdString(s); }

const char *kindWord(NotificationIntent::Kind k)
{
    switch (k) {
    case NotificationIntent::Kind::Firing:
        return "FIRING";
    case NotificationIntent::Kind::Resolved:
        return "RESOLVED";
    case NotificationIntent::Kind::Repeat:
        return "STILL FIRING";
    case NotificationIntent::Kind::Escalation:
        return "ESCALATED";
    case NotificationIntent::Kind::Test:
        return "TEST";
    }
    return "FIRING";
}

std::string link(const OutgoingNotification &n, const Alert &a)
{
    return n.baseUrl + "/alerts/" + std::to_string(a.id);
}

std::string where(const Alert &a) { return a.endpoint.empty() ? a.service : a.service + " " + a.endpoint; }

std::string duration(const Alert &a, TimeNs now)
{
    const TimeNs end = a.resolvedAt ? a.resolvedAt : now;
    const long long minutes = a.firedAt && end > a.firedAt ? (end - a.firedAt) / (60 * kNsPerSec) : 0;
    char buf[48];
    if (minutes >= 60)
        std::snprintf(buf, sizeof buf, "%lld h %lld min", minutes / 60, minutes % 60);
    else
        std::snprintf(buf, sizeof buf, "%lld min", minutes);
    return buf;
}

// Slack mrkdwn: &, <, > are control characters.
std::string escapeMrkdwn(const std::string &s)
{
    std::string out;
    for (char c : s) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

std::string clip(std::string s, std::size_t max)
{
    if (s.size() <= max)
        return s;
    s.resize(max - 3);
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80)
        s.pop_back(); // do not cut a UTF-8 sequence
    if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0)
        s.pop_back();
    return s + "…";
}

std::string line(const Alert &a, const OutgoingNotification &n)
{
    std::string text = std::string(alertLevelName(a.level)) + " · " + where(a) + " · " + a.reason;
    if (n.kind == NotificationIntent::Kind::Resolved)
        text += " · resolved after " + duration(a, n.now);
    else if (a.firedAt)
        text += " · since " + formatIsoMs(a.firedAt);
    return text;
}

std::string fingerprint(const Alert &a)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(a.dedupKey()), QCryptographicHash::Sha256)
        .toHex()
        .left(16)
        .toStdString();
}

} // namespace

std::string notificationTitle(const OutgoingNotification &n)
{
    if (n.alerts.empty())
        return "[FlowGuard]";
    const Alert &a = n.alerts.front();
    std::string title = std::string("[") + kindWord(n.kind) + "] " + where(a) + ": " + a.reason;
    if (n.alerts.size() > 1)
        title += " (+" + std::to_string(n.alerts.size() - 1) + " more)";
    if (n.kind == NotificationIntent::Kind::Resolved && n.alerts.size() == 1)
        title += " after " + duration(a, n.now);
    if (n.stormSuppressed > 0)
        title = "[FlowGuard] storm limit: " + std::to_string(n.stormSuppressed) + " notifications held back";
    return title;
}

std::string slackPayload(const OutgoingNotification &n)
{
    QJsonArray blocks;
    blocks.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("header")},
                              {QStringLiteral("text"), QJsonObject{{QStringLiteral("type"), QStringLiteral("plain_text")},
                                                                   {QStringLiteral("text"), q(clip(notificationTitle(n), 150))}}}});
    if (n.stormSuppressed > 0)
        blocks.append(QJsonObject{
            {QStringLiteral("type"), QStringLiteral("section")},
            {QStringLiteral("text"), QJsonObject{{QStringLiteral("type"), QStringLiteral("mrkdwn")},
                                                 {QStringLiteral("text"), q("More alerts than the channel's limit in 10 minutes; "
                                                                            "the newest are listed below and all are in FlowGuard.")}}}});
    // Each alert: its facts, why, and a link. Slack allows 50 blocks; keep room for the header.
    const std::size_t shown = std::min<std::size_t>(n.alerts.size(), 15);
    for (std::size_t i = 0; i < shown; ++i) {
        const Alert &a = n.alerts[i];
        auto field = [](const std::string &label, const std::string &value) {
            return QJsonObject{{QStringLiteral("type"), QStringLiteral("mrkdwn")},
                               {QStringLiteral("text"), q("*" + label + "*\n" + escapeMrkdwn(value))}};
        };
        blocks.append(QJsonObject{
            {QStringLiteral("type"), QStringLiteral("section")},
            {QStringLiteral("fields"),
             QJsonArray{field("Severity", std::string(alertLevelName(a.level))), field("Service", where(a)),
                        field("Since", a.firedAt ? formatIsoMs(a.firedAt) : "-"),
                        field(a.resolvedAt ? "Resolved after" : "State",
                              a.resolvedAt ? duration(a, n.now) : std::string(alertStateName(a.state)))}}});
        blocks.append(QJsonObject{
            {QStringLiteral("type"), QStringLiteral("section")},
            {QStringLiteral("text"), QJsonObject{{QStringLiteral("type"), QStringLiteral("mrkdwn")},
                                                 {QStringLiteral("text"), q(clip("*Why:* " + escapeMrkdwn(a.explanation), 3000))}}}});
        blocks.append(QJsonObject{
            {QStringLiteral("type"), QStringLiteral("context")},
            {QStringLiteral("elements"),
             QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("mrkdwn")},
                                    {QStringLiteral("text"), q("FlowGuard · <" + link(n, a) + "|alert " + std::to_string(a.id)
                                                               + "> · dedup key " + escapeMrkdwn(a.dedupKey()))}}}}});
    }
    const QJsonObject payload{{QStringLiteral("text"), q(notificationTitle(n))}, {QStringLiteral("blocks"), blocks}};
    return QJsonDocument(payload).toJson(QJsonDocument::Compact).toStdString();
}

std::string alertmanagerPayload(const OutgoingNotification &n)
{
    QJsonArray alerts;
    for (const Alert &a : n.alerts) {
        const bool resolved = a.state == Alert::State::Resolved;
        QJsonObject labels{{QStringLiteral("alertname"), q(a.reason)},
                           {QStringLiteral("service"), q(a.service)},
                           {QStringLiteral("severity"), QString::fromUtf8(alertLevelName(a.level).data())},
                           {QStringLiteral("flowguard_alert_id"), QString::number(a.id)}};
        if (!a.endpoint.empty())
            labels.insert(QStringLiteral("endpoint"), q(a.endpoint));
        if (a.test)
            labels.insert(QStringLiteral("test"), QStringLiteral("true"));
        alerts.append(QJsonObject{
            {QStringLiteral("status"), resolved ? QStringLiteral("resolved") : QStringLiteral("firing")},
            {QStringLiteral("labels"), labels},
            {QStringLiteral("annotations"), QJsonObject{{QStringLiteral("summary"), q(where(a) + ": " + a.reason)},
                                                        {QStringLiteral("description"), q(a.explanation)}}},
            {QStringLiteral("startsAt"), q(formatIsoMs(a.firedAt ? a.firedAt : a.pendingSince))},
            {QStringLiteral("endsAt"), resolved ? q(formatIsoMs(a.resolvedAt)) : QStringLiteral("0001-01-01T00:00:00Z")},
            {QStringLiteral("generatorURL"), q(link(n, a))},
            {QStringLiteral("fingerprint"), q(fingerprint(a))}});
    }
    const std::string service = n.alerts.empty() ? std::string() : n.alerts.front().service;
    const bool allResolved = std::all_of(n.alerts.begin(), n.alerts.end(),
                                         [](const Alert &a) { return a.state == Alert::State::Resolved; });
    const QJsonObject group{{QStringLiteral("service"), q(service)}};
    const QJsonObject payload{
        {QStringLiteral("version"), QStringLiteral("4")},
        {QStringLiteral("groupKey"), q("{}:{service=\"" + service + "\"}")},
        {QStringLiteral("truncatedAlerts"), 0},
        {QStringLiteral("status"), allResolved && n.kind != NotificationIntent::Kind::Test ? QStringLiteral("resolved")
                                                                                             : QStringLiteral("firing")},
        {QStringLiteral("receiver"), q(n.channel)},
        {QStringLiteral("groupLabels"), group},
        {QStringLiteral("commonLabels"), group},
        {QStringLiteral("commonAnnotations"), QJsonObject{}},
        {QStringLiteral("externalURL"), q(n.baseUrl)},
        {QStringLiteral("alerts"), alerts}};
    return QJsonDocument(payload).toJson(QJsonDocument::Compact).toStdString();
}

std::string emailMessage(const OutgoingNotification &n, const std::string &from, const std::vector<std::string> &to)
{
    std::string recipients;
    for (const std::string &r : to)
        recipients += (recipients.empty() ? "" : ", ") + r;
    // RFC 2047 encoded word: the subject may carry any UTF-8.
    const std::string subject =
        "=?UTF-8?B?" + QByteArray::fromStdString(notificationTitle(n)).toBase64().toStdString() + "?=";
    const QString date = QDateTime::fromMSecsSinceEpoch(n.now / kNsPerMs, Qt::UTC).toString(Qt::RFC2822Date);
    std::string body;
    if (n.stormSuppressed > 0)
        body += "More notifications than this channel's limit arrived within 10 minutes; they are held back.\r\n\r\n";
    for (const Alert &a : n.alerts) {
        body += line(a, n) + "\r\n" + a.explanation + "\r\n" + link(n, a) + "\r\n\r\n";
    }
    body += "-- \r\nFlowGuard\r\n";
    std::string msg;
    msg += "From: FlowGuard <" + from + ">\r\n";
    msg += "To: " + recipients + "\r\n";
    msg += "Subject: " + subject + "\r\n";
    msg += "Date: " + date.toStdString() + "\r\n";
    msg += "Message-ID: <flowguard-" + std::to_string(n.now) + "-"
           + (n.alerts.empty() ? std::string("0") : std::to_string(n.alerts.front().id)) + "@"
           + from.substr(from.find('@') + 1) + ">\r\n";
    msg += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n";
    msg += "X-FlowGuard-Kind: " + std::string(notificationKindName(n.kind)) + "\r\n\r\n";
    // Lines starting with a dot are escaped by libcurl's SMTP upload; long lines are fine in 8bit up to 998.
    for (std::size_t start = 0; start < body.size();) {
        std::size_t end = body.find("\r\n", start);
        if (end == std::string::npos)
            end = body.size();
        std::string l = body.substr(start, end - start);
        while (l.size() > 900) {
            msg += l.substr(0, 900) + "\r\n";
            l.erase(0, 900);
        }
        msg += l + "\r\n";
        start = end + 2;
    }
    return msg;
}

std::string desktopBody(const OutgoingNotification &n)
{
    std::string body;
    for (const Alert &a : n.alerts) {
        if (!body.empty())
            body += '\n';
        body += clip(a.explanation, 300);
    }
    return body;
}

} // namespace fg
