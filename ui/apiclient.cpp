#include "apiclient.h"

#include <QCoreApplication>
#include <QPointer>
#include <QThreadPool>

namespace fg {

ApiClient::ApiClient() : m_receiver(std::make_unique<QObject>()), m_parser(std::make_unique<QThreadPool>())
{
    // One parser thread: answers reach the views in the order the engine gave them.
    m_parser->setMaxThreadCount(1);
    m_parser->setObjectName(QStringLiteral("fg-api-parse"));
}

ApiClient::~ApiClient()
{
    // Answers not yet parsed are dropped (nobody is left to show them): the GUI thread waits for one job
    // at most.
    m_parser->clear();
    m_parser->waitForDone();
}

void ApiClient::call(const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                     Work work) const
{
    QPointer<QObject> guard(context);
    QPointer<QObject> receiver(m_receiver.get());
    if (!m_transport) {
        HttpResponse refused;
        refused.status = 503;
        refused.body = QJsonDocument(QJsonObject{{QStringLiteral("message"), QStringLiteral("FlowGuard is not running")}}).toJson();
        return work(refused)();
    }
    m_transport(method, target, body, context, [pool = m_parser.get(), receiver, guard, work = std::move(work)](const HttpResponse &r) {
        // Here on the GUI thread: only hand the answer on. No receiver: this client is gone, and its pool.
        if (!guard || !receiver)
            return;
        pool->start([to = receiver.data(), guard, work, r] {
            std::function<void()> deliver = work(r);
            // The receiver outlives the pool's jobs (the destructor waits for them); `guard` is only read
            // on the GUI thread, where the answer becomes an event of the object that asked (so profilers
            // and the ui_stall bench name the view that draws it).
            QMetaObject::invokeMethod(to, [guard, deliver = std::move(deliver)] {
                if (guard)
                    QMetaObject::invokeMethod(guard.data(), deliver, Qt::QueuedConnection);
            }, Qt::QueuedConnection);
        });
    });
}

namespace {
// The JSON answer for a Reply: parsed on the worker, handed over with the status and the raw body.
std::function<std::function<void()>(const HttpResponse &)> jsonReply(ApiClient::Reply reply)
{
    return [reply = std::move(reply)](const HttpResponse &r) {
        auto json = std::make_shared<QJsonObject>(QJsonDocument::fromJson(r.body).object());
        return std::function<void()>([reply, json, status = r.status, raw = r.body] { reply(status, *json, raw); });
    };
}
} // namespace

void ApiClient::get(const QByteArray &target, QObject *context, Reply reply) const
{
    call("GET", target, {}, context, jsonReply(std::move(reply)));
}

void ApiClient::send(const QByteArray &method, const QByteArray &target, const QJsonObject &body, QObject *context,
                     Reply reply) const
{
    call(method, target, QJsonDocument(body).toJson(QJsonDocument::Compact), context, jsonReply(std::move(reply)));
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
