#pragma once

#include <QByteArray>
#include <QThread>

#include <memory>
#include <mutex>
#include <vector>

namespace fg {
class HttpServer;
class InflightBudget;
}

// A real HTTP server on a loopback port standing in for Slack or a webhook receiver: it records every
// request and answers 200, or 503 with Retry-After for the next `fail` requests (an outage).
class RecordingReceiver {
public:
    struct Request {
        QByteArray method;
        QByteArray path;
        QByteArray contentType;
        QByteArray body;
    };
    RecordingReceiver();
    ~RecordingReceiver();

    quint16 port() const { return m_port; }
    QByteArray url(const QByteArray &path = "/hook") const;
    // The next `count` requests get `status` (503: an outage) with a Retry-After.
    void failNext(int count, int retryAfterSeconds = 0, int status = 503);
    std::vector<Request> requests() const;

private:
    class Handler;
    QThread m_thread;
    QObject *m_context = nullptr; // lives on m_thread, where the server is made and deleted
    std::unique_ptr<Handler> m_handler;
    std::unique_ptr<fg::InflightBudget> m_budget;
    fg::HttpServer *m_server = nullptr;
    quint16 m_port = 0;
};
