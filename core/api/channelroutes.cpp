#include "channelroutes.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "alerting/channel.h"
#include "alerting/idallocator.h"
#include "alerting/secretstore.h"
#include "alerting/delivery/targetpolicy.h"
#include "apierror.h"
#include "routehelpers.h"
#include "routetable.h"
#include "store/storewriter.h"

namespace fg {

namespace {

HttpResponse notFound(std::int64_t id)
{
    return apiError(404, QStringLiteral("no channel %1").arg(id), QJsonObject{{QStringLiteral("id"), qint64(id)}});
}

} // namespace

void ChannelRoutes::addRoutes(RouteTable &table)
{
    using Params = const RouteParams &;
    using Out = const HttpResponder &;
    // Environment channels have negative ids: listed, and refused with 409 when changed.
    auto add = [&table](const char *method, const char *pattern, TokenScope scope, RouteHandler handler) {
        table.add({method, pattern, scope, std::move(handler), "channels"});
    };
    add("GET", "/api/channels", TokenScope::Read, [this](HttpRequest &, Params, Out out) { list(out); });
    add("POST", "/api/channels", TokenScope::Admin, [this](HttpRequest &request, Params, Out out) { create(request, out); });
    add("PUT", "/api/channels/{id:signed_id}", TokenScope::Admin,
        [this](HttpRequest &request, Params params, Out out) { replace(params.id("id"), request, out); });
    add("DELETE", "/api/channels/{id:signed_id}", TokenScope::Admin,
        [this](HttpRequest &, Params params, Out out) { remove(params.id("id"), out); });
}

void ChannelRoutes::list(const HttpResponder &responder)
{
    QJsonArray items;
    for (const Channel &c : *m_deps.channels->current())
        items.append(c.toJson(redactUrl(m_deps.channels->secret(c.id))));
    responder.send(jsonResponse(200, QJsonObject{{QStringLiteral("items"), items},
                                                 {QStringLiteral("secret_store"), m_deps.secretsProblem.isEmpty()
                                                                                      ? m_deps.secrets->description()
                                                                                      : m_deps.secretsProblem}}));
}

void ChannelRoutes::save(const Channel &channel, const std::string &secret, int status, const HttpResponder &responder)
{
    if (!secret.empty()) {
        if (!m_deps.secretsProblem.isEmpty())
            return responder.send(apiError(503, m_deps.secretsProblem, QJsonObject{{QStringLiteral("field"), QStringLiteral("url")}}));
        QString error;
        if (!m_deps.secrets->write(channelSecretKey(channel.id), secret, &error))
            return responder.send(apiError(503, QStringLiteral("the keychain refused the secret: %1").arg(error),
                                           QJsonObject{{QStringLiteral("field"), QStringLiteral("url")}}));
    }
    auto job = std::make_unique<WriteJob>();
    job->channels.emplace_back(channel.id, QJsonDocument(channel.storedJson()).toJson(QJsonDocument::Compact).toStdString());
    storeThenAnswer(m_deps.writer, std::move(job), responder, [channel, secret, status, book = m_deps.channels] {
        if (!secret.empty())
            book->setSecret(channel.id, secret);
        std::vector<Channel> all = *book->current();
        const auto it = std::find_if(all.begin(), all.end(), [&](const Channel &c) { return c.id == channel.id; });
        if (it == all.end())
            all.push_back(channel);
        else
            *it = channel;
        book->set(std::move(all));
        return jsonResponse(status, channel.toJson(redactUrl(book->secret(channel.id))));
    });
}

std::optional<HttpResponse> ChannelRoutes::refusedTarget(const std::string &secret) const
{
    if (secret.empty() || m_deps.allowPrivateTargets)
        return std::nullopt;
    const QString why = forbiddenTargetUrl(QString::fromStdString(secret));
    if (why.isEmpty())
        return std::nullopt;
    return fieldError(QStringLiteral("url"), QStringLiteral("refused: %1; %2").arg(why, privateTargetsHint()),
                      QStringLiteral("allow_private_targets"));
}

void ChannelRoutes::create(const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder);
    if (!body)
        return;
    std::string secret;
    QString field, message;
    auto channel = Channel::fromJson(*body, nullptr, &secret, &field, &message);
    if (!channel)
        return responder.send(fieldError(field, message));
    if (auto refused = refusedTarget(secret))
        return responder.send(*refused);
    const auto existing = m_deps.channels->current();
    if (std::any_of(existing->begin(), existing->end(), [&](const Channel &c) { return c.name == channel->name; }))
        return responder.send(apiError(409, QStringLiteral("a channel named '%1' exists").arg(QString::fromStdString(channel->name)),
                                       QJsonObject{{QStringLiteral("field"), QStringLiteral("name")}}));
    channel->id = m_deps.ids->next();
    save(*channel, secret, 201, responder);
}

void ChannelRoutes::replace(std::int64_t id, const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder);
    if (!body)
        return;
    const auto existing = m_deps.channels->current();
    const auto it = std::find_if(existing->begin(), existing->end(), [id](const Channel &c) { return c.id == id; });
    if (it == existing->end())
        return responder.send(notFound(id));
    if (it->fromEnvironment)
        return responder.send(apiError(409, QStringLiteral("this channel comes from the environment or a flag; change it there"),
                                       QJsonObject{{QStringLiteral("id"), qint64(id)}}));
    std::string secret;
    QString field, message;
    auto channel = Channel::fromJson(*body, &*it, &secret, &field, &message);
    if (!channel)
        return responder.send(fieldError(field, message));
    if (auto refused = refusedTarget(secret))
        return responder.send(*refused);
    save(*channel, secret, 200, responder);
}

void ChannelRoutes::remove(std::int64_t id, const HttpResponder &responder)
{
    const auto existing = m_deps.channels->current();
    const auto it = std::find_if(existing->begin(), existing->end(), [id](const Channel &c) { return c.id == id; });
    if (it == existing->end())
        return responder.send(notFound(id));
    if (it->fromEnvironment)
        return responder.send(apiError(409, QStringLiteral("this channel comes from the environment or a flag; remove it there"),
                                       QJsonObject{{QStringLiteral("id"), qint64(id)}}));
    if (it->needsSecret() && m_deps.secretsProblem.isEmpty()) {
        QString error;
        m_deps.secrets->remove(channelSecretKey(id), &error);
    }
    auto job = std::make_unique<WriteJob>();
    job->channels.emplace_back(id, std::string());
    storeThenAnswer(m_deps.writer, std::move(job), responder, [id, book = m_deps.channels] {
        std::vector<Channel> rest = *book->current();
        rest.erase(std::remove_if(rest.begin(), rest.end(), [id](const Channel &c) { return c.id == id; }), rest.end());
        book->set(std::move(rest));
        book->setSecret(id, {});
        return jsonResponse(200, QJsonObject{{QStringLiteral("deleted"), qint64(id)}});
    });
}

} // namespace fg
