#pragma once

#include <QJsonObject>
#include <QObject>

#include <functional>

#include "ingest/httpmessage.h"

namespace fg {

// The window's way to the engine: the same HTTP API the outside uses, called in process (no socket) and
// answered on the GUI thread. Views never run SQL or hold engine objects; they ask and draw the answer.
class ApiClient final {
public:
    using Transport = std::function<void(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                         QObject *context, std::function<void(const HttpResponse &)> done)>;
    // The answer: HTTP status, the JSON body (empty for non-JSON) and the raw body.
    using Reply = std::function<void(int status, const QJsonObject &json, const QByteArray &raw)>;

    void setTransport(Transport transport) { m_transport = std::move(transport); }
    bool ready() const { return bool(m_transport); }
    void get(const QByteArray &target, QObject *context, Reply reply) const;
    void send(const QByteArray &method, const QByteArray &target, const QJsonObject &body, QObject *context, Reply reply) const;
    // The whole answer, headers included (e.g. the next page's cursor of a paged CSV report).
    void fetch(const QByteArray &target, QObject *context, std::function<void(const HttpResponse &)> done) const;
    // "field: message" from an error answer, for dialogs.
    static QString errorText(const QJsonObject &json);

private:
    Transport m_transport;
};

} // namespace fg
