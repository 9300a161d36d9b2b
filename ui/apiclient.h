#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <memory>
#include <type_traits>

#include "ingest/httpmessage.h"

class QThreadPool;

namespace fg {

// The window's way to the engine: the same HTTP API the outside uses, called in process (no socket) and
// answered on the GUI thread. Views never run SQL or hold engine objects; they ask and draw the answer.
// Answers are parsed off the GUI thread (a large JSON reply would stall it): the JSON always, and with
// getRows() also the view's own conversion into typed rows.
class ApiClient final {
public:
    using Transport = std::function<void(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                         QObject *context, std::function<void(const HttpResponse &)> done)>;
    // The answer: HTTP status, the JSON body (empty for non-JSON) and the raw body.
    using Reply = std::function<void(int status, const QJsonObject &json, const QByteArray &raw)>;

    ApiClient();
    // Waits for answers being parsed; their replies are dropped.
    ~ApiClient();
    Q_DISABLE_COPY_MOVE(ApiClient)

    void setTransport(Transport transport) { m_transport = std::move(transport); }
    bool ready() const { return bool(m_transport); }
    void get(const QByteArray &target, QObject *context, Reply reply) const;
    // `parse(status, json)` runs on a worker thread and must only read its arguments (it may use pure
    // helpers such as apiTime); `done` gets what it returned on the GUI thread, unless `context` is gone.
    template <typename Parse, typename Done>
    void getRows(const QByteArray &target, QObject *context, Parse parse, Done done) const
    {
        using Rows = std::invoke_result_t<Parse, int, const QJsonObject &>;
        call("GET", target, {}, context, [parse = std::move(parse), done = std::move(done)](const HttpResponse &r) {
            auto rows = std::make_shared<Rows>(parse(r.status, QJsonDocument::fromJson(r.body).object()));
            return std::function<void()>([done, rows] { done(std::move(*rows)); });
        });
    }
    void send(const QByteArray &method, const QByteArray &target, const QJsonObject &body, QObject *context, Reply reply) const;
    // The whole answer, headers included (e.g. the next page's cursor of a paged CSV report).
    void fetch(const QByteArray &target, QObject *context, std::function<void(const HttpResponse &)> done) const;
    // "field: message" from an error answer, for dialogs.
    static QString errorText(const QJsonObject &json);

private:
    // Work on the answer off the GUI thread; what it returns then runs on the GUI thread.
    using Work = std::function<std::function<void()>(const HttpResponse &)>;
    void call(const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context, Work work) const;

    Transport m_transport;
    std::unique_ptr<QObject> m_receiver; // GUI thread: parsed answers are delivered through it
    std::unique_ptr<QThreadPool> m_parser;
};

} // namespace fg
