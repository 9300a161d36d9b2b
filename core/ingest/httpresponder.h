#pragma once

#include <QPointer>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "httpmessage.h"

class QTcpSocket;

namespace fg {

class HttpConnection;

// Where a response goes: a client connection, or — for in-process callers such as the window — a
// function. The connection clears the slot when it is destroyed; send() from any thread posts the
// response to the connection's own thread, or drops it if the client has gone.
class ResponseSlot final {
public:
    explicit ResponseSlot(HttpConnection *connection) : m_connection(connection) {}
    explicit ResponseSlot(std::function<void(HttpResponse)> sink) : m_connection(nullptr), m_sink(std::move(sink)) {}
    void detach()
    {
        std::lock_guard lock(m_mutex);
        m_connection = nullptr;
        m_sink = nullptr;
        m_gone.store(true, std::memory_order_relaxed);
    }
    void send(quint64 requestSeq, HttpResponse response);
    // The client disconnected: nobody waits for an answer any more.
    bool gone() const { return m_gone.load(std::memory_order_relaxed); }

private:
    std::mutex m_mutex;
    std::atomic<bool> m_gone{false};
    HttpConnection *m_connection;
    std::function<void(HttpResponse)> m_sink;
};

// Handed to request handlers; cheap to copy and safe to call once from any thread.
class HttpResponder final {
public:
    HttpResponder(std::shared_ptr<ResponseSlot> slot, quint64 seq, HttpHeaders extraHeaders = {})
        : m_slot(std::move(slot)), m_seq(seq), m_extraHeaders(std::move(extraHeaders))
    {
    }
    // The same responder, also showing observe (on the sending thread) the answer it sends: self-metrics
    // count answers by route, and the ingest inspector keeps refusals, without each handler doing so.
    HttpResponder observed(std::function<void(const HttpResponse &response)> observe) const
    {
        HttpResponder r = *this;
        r.m_observe = std::move(observe);
        return r;
    }
    void send(HttpResponse response) const
    {
        if (m_observe)
            m_observe(response);
        response.headers.insert(response.headers.end(), m_extraHeaders.begin(), m_extraHeaders.end());
        m_slot->send(m_seq, std::move(response));
    }
    // Work for a client that has gone can stop.
    bool clientGone() const { return m_slot->gone(); }

private:
    std::shared_ptr<ResponseSlot> m_slot;
    quint64 m_seq;
    std::function<void(const HttpResponse &)> m_observe;
    HttpHeaders m_extraHeaders; // the request's responseHeaders
};

// The application side of the HTTP transport. admit() sees the request head before any body byte is
// read, so routing, auth and media-type errors are answered without buffering the body; it may set the
// request's responseHeaders.
class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual std::optional<HttpResponse> admit(HttpRequest &head) = 0;
    virtual void handle(HttpRequest &&request, HttpResponder responder) = 0;
    // Answer for requests the transport refuses on its own (limits, overload, bad framing).
    virtual HttpResponse transportError(int status, const QString &message) = 0;
    // An admitted protocol upgrade (WebSocket): true when the handler took the socket, with the bytes
    // already read past the head; the HTTP connection then lets go of it.
    virtual bool takeUpgrade(const HttpRequest &, QTcpSocket *, const QByteArray &) { return false; }
};

} // namespace fg
