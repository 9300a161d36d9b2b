#include "channel.h"

#include <QJsonArray>
#include <QUrl>

#include <algorithm>

#include "model/jsonfields.h"

namespace fg {

namespace {
constexpr std::pair<Channel::Type, const char *> kTypes[] = {
    {Channel::Type::Slack, "slack"}, {Channel::Type::Webhook, "webhook"},
    {Channel::Type::Email, "email"}, {Channel::Type::Desktop, "desktop"}};
} // namespace

std::string_view channelTypeName(Channel::Type type)
{
    for (const auto &[t, name] : kTypes)
        if (t == type)
            return name;
    return "webhook";
}

std::string redactUrl(const std::string &url)
{
    if (url.empty())
        return {};
    const QUrl u(QString::fromStdString(url));
    if (!u.isValid() || u.host().isEmpty())
        return "…";
    return (u.scheme() + QStringLiteral("://") + u.host() + (u.port() > 0 ? QStringLiteral(":%1").arg(u.port()) : QString())
            + QStringLiteral("/…"))
        .toStdString();
}

QJsonObject Channel::storedJson() const
{
    QJsonArray recipients;
    for (const std::string &r : to)
        recipients.append(QString::fromStdString(r));
    return QJsonObject{{QStringLiteral("id"), qint64(id)},
                       {QStringLiteral("type"), QString::fromUtf8(channelTypeName(type).data())},
                       {QStringLiteral("name"), QString::fromStdString(name)},
                       {QStringLiteral("enabled"), enabled},
                       {QStringLiteral("to"), recipients},
                       {QStringLiteral("from"), QString::fromStdString(from)},
                       {QStringLiteral("ca_file"), QString::fromStdString(caFile)}};
}

QJsonObject Channel::toJson(const std::string &redactedTarget) const
{
    QJsonObject o = storedJson();
    o.insert(QStringLiteral("target"), redactedTarget.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(redactedTarget)));
    o.insert(QStringLiteral("source"), fromEnvironment ? QStringLiteral("environment") : QStringLiteral("settings"));
    return o;
}

std::optional<Channel> Channel::fromJson(const QJsonObject &json, const Channel *base, std::string *secret,
                                         QString *field, QString *message, bool stored)
{
    Channel c = base ? *base : Channel{};
    secret->clear();
    auto bad = [&](const char *f, const QString &why) {
        *field = QString::fromLatin1(f);
        *message = why;
        return std::nullopt;
    };
    static const QStringList kKnown = {QStringLiteral("id"),   QStringLiteral("type"), QStringLiteral("name"),
                                       QStringLiteral("enabled"), QStringLiteral("url"), QStringLiteral("to"),
                                       QStringLiteral("from"), QStringLiteral("ca_file"), QStringLiteral("target"),
                                       QStringLiteral("source")};
    if (const auto unknown = unknownField(json, kKnown)) {
        *field = *unknown;
        *message = QStringLiteral("unknown field");
        return std::nullopt;
    }
    if (json.contains(QStringLiteral("type"))) {
        const std::string type = json.value(QStringLiteral("type")).toString().toStdString();
        const auto it = std::find_if(std::begin(kTypes), std::end(kTypes), [&](const auto &t) { return type == t.second; });
        if (it == std::end(kTypes))
            return bad("type", QStringLiteral("expected slack, webhook, email or desktop"));
        if (base && it->first != base->type)
            return bad("type", QStringLiteral("the type of a channel cannot change"));
        c.type = it->first;
    } else if (!base) {
        return bad("type", QStringLiteral("required: slack, webhook, email or desktop"));
    }
    if (json.contains(QStringLiteral("name"))) {
        const QString name = json.value(QStringLiteral("name")).toString().trimmed();
        if (name.isEmpty() || name.size() > 100 || name.contains(QLatin1Char(';')))
            return bad("name", QStringLiteral("expected a non-empty name of at most 100 characters, without ';'"));
        c.name = name.toStdString();
    } else if (!base) {
        return bad("name", QStringLiteral("required"));
    }
    if (json.contains(QStringLiteral("enabled"))) {
        if (!json.value(QStringLiteral("enabled")).isBool())
            return bad("enabled", QStringLiteral("expected true or false"));
        c.enabled = json.value(QStringLiteral("enabled")).toBool();
    }
    // "target" is the API's name for where a channel sends; "url" the same. The redacted form an answer
    // shows ("…/…") is not a target, so a document read back and sent again keeps its secret.
    QJsonObject in = json;
    if (!in.contains(QStringLiteral("url")) && in.value(QStringLiteral("target")).isString()
        && !in.value(QStringLiteral("target")).toString().endsWith(QStringLiteral("…"))) {
        const QString target = in.value(QStringLiteral("target")).toString().trimmed();
        // An e-mail channel's target may be its recipients rather than its server.
        if (c.type == Type::Email && !target.contains(QStringLiteral("://")))
            in.insert(QStringLiteral("to"), target);
        else if (!target.isEmpty())
            in.insert(QStringLiteral("url"), target);
    }
    if (in.contains(QStringLiteral("url"))) {
        const QString url = in.value(QStringLiteral("url")).toString().trimmed();
        const QUrl u(url, QUrl::StrictMode);
        const QString scheme = u.scheme().toLower();
        const bool http = scheme == QLatin1String("http") || scheme == QLatin1String("https");
        const bool smtp = scheme == QLatin1String("smtp") || scheme == QLatin1String("smtps");
        if (c.type == Type::Desktop)
            return bad("url", QStringLiteral("desktop notifications have no URL"));
        if (!u.isValid() || u.host().isEmpty() || (c.type == Type::Email ? !smtp : !http))
            return bad("url", c.type == Type::Email ? QStringLiteral("expected smtp://[user:password@]host[:port] or smtps://…")
                                                    : QStringLiteral("expected an http:// or https:// URL"));
        *secret = url.toStdString();
    } else if (!base && !stored && c.needsSecret()) {
        return bad("url", QStringLiteral("required for a %1 channel").arg(QString::fromUtf8(channelTypeName(c.type).data())));
    }
    if (in.contains(QStringLiteral("to"))) {
        const QJsonValue v = in.value(QStringLiteral("to"));
        QStringList list;
        if (v.isString())
            list = v.toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
        else if (v.isArray())
            for (const QJsonValue &item : v.toArray())
                list << item.toString();
        else
            return bad("to", QStringLiteral("expected addresses, as an array or comma-separated"));
        c.to.clear();
        for (const QString &address : list) {
            const QString a = address.trimmed();
            if (!a.contains(QLatin1Char('@')) || a.contains(QLatin1Char(' ')) || a.contains(QLatin1Char('<')))
                return bad("to", QStringLiteral("'%1' is not an e-mail address").arg(a));
            c.to.push_back(a.toStdString());
        }
    }
    if (json.contains(QStringLiteral("from"))) {
        const QString f = json.value(QStringLiteral("from")).toString().trimmed();
        if (!f.isEmpty() && !f.contains(QLatin1Char('@')))
            return bad("from", QStringLiteral("expected an e-mail address"));
        c.from = f.toStdString();
    }
    if (json.contains(QStringLiteral("ca_file"))) {
        if (!json.value(QStringLiteral("ca_file")).isString())
            return bad("ca_file", QStringLiteral("expected a file path"));
        c.caFile = json.value(QStringLiteral("ca_file")).toString().toStdString();
    }
    if (c.type == Type::Email && c.to.empty())
        return bad("to", QStringLiteral("an e-mail channel needs at least one recipient"));
    return c;
}

std::vector<std::int64_t> ChannelBook::resolve(const std::vector<std::string> &names, std::vector<std::string> *unknown) const
{
    const auto channels = current();
    std::vector<std::int64_t> ids;
    if (names.empty()) {
        for (const Channel &c : *channels)
            if (c.enabled)
                ids.push_back(c.id);
        return ids;
    }
    for (const std::string &name : names) {
        const auto it = std::find_if(channels->begin(), channels->end(), [&](const Channel &c) { return c.name == name; });
        if (it == channels->end()) {
            if (unknown)
                unknown->push_back(name);
        } else if (it->enabled) {
            ids.push_back(it->id);
        }
    }
    return ids;
}

} // namespace fg
