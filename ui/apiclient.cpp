#include "apiclient.h"

#include <QJsonDocument>

namespace fg {

namespace {
void call(const ApiClient::Transport &transport, const QByteArray &method, const QByteArray &target,
          const QByteArray &body, QObject *context, ApiClient::Reply reply)
{
    if (!transport)
        return reply(503, QJsonObject{{QStringLiteral("message"), QStringLiteral("FlowGuard is not running")}}, {});
    transport(method, target, body, context, [reply = std::move(reply)](const HttpResponse &r) {
        reply(r.status, QJsonDocument::fromJson(r.body).object(), r.body);
    });
}
} // namespace

void ApiClient::get(const QByteArray &target, QObject *context, Reply reply) const
{
    call(m_transport, "GET", target, {}, context, std::move(reply));
}

void ApiClient::send(const QByteArray &method, const QByteArray &target, const QJsonObject &body, QObject *context,
                     Reply reply) const
{
    call(m_transport, method, target, QJsonDocument(body).toJson(QJsonDocument::Compact), context, std::move(reply));
}

void ApiClient::fetch(const QByteArray &target, QObject *context, std::function<void(const HttpResponse &)> done) const
{
    if (!m_transport) {
        HttpResponse r;
        r.status = 503;
        r.body = QJsonDocument(QJsonObject{{QStringLiteral("message"), QStringLiteral("FlowGuard is not running")}}).toJson();
        return done(r);
    }
    m_transport("GET", target, {}, context, std::move(done));
}

QString ApiClient::errorText(const QJsonObject &json)
{
    return json.value(QStringLiteral("message")).toString();
}

} // namespace fg
