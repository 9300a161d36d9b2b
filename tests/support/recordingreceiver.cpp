#include "recordingreceiver.h"

#include "ingest/httpresponder.h"
#include "ingest/httpserver.h"
#include "ingest/inflightbudget.h"

class RecordingReceiver::Handler final : public fg::RequestHandler {
public:
    std::optional<fg::HttpResponse> admit(fg::HttpRequest &) override { return std::nullopt; }
    void handle(fg::HttpRequest &&request, fg::HttpResponder responder) override
    {
        fg::HttpResponse r;
        {
            std::lock_guard lock(mutex);
            requests.push_back({request.method, request.path, request.header("content-type"), request.body});
            if (failures > 0) {
                --failures;
                r.status = failStatus;
                r.body = "receiver down";
                r.headers.emplace_back("Retry-After", QByteArray::number(retryAfter));
            } else {
                r.status = 200;
                r.body = "ok";
            }
        }
        r.contentType = "text/plain";
        responder.send(r);
    }
    fg::HttpResponse transportError(int status, const QString &message) override
    {
        fg::HttpResponse r;
        r.status = status;
        r.body = message.toUtf8();
        return r;
    }

    mutable std::mutex mutex;
    std::vector<Request> requests;
    int failures = 0;
    int retryAfter = 0;
    int failStatus = 503;
};

RecordingReceiver::RecordingReceiver() : m_handler(std::make_unique<Handler>()), m_budget(std::make_unique<fg::InflightBudget>(64 << 20))
{
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_context,
        [this] {
            m_server = new fg::HttpServer(m_handler.get(), m_budget.get(), fg::HttpLimits{});
            m_server->listen(QHostAddress::LocalHost, 0);
            m_port = m_server->serverPort();
        },
        Qt::BlockingQueuedConnection);
}

RecordingReceiver::~RecordingReceiver()
{
    QMetaObject::invokeMethod(m_context, [this] { delete m_server; }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QByteArray RecordingReceiver::url(const QByteArray &path) const
{
    return "http://127.0.0.1:" + QByteArray::number(m_port) + path;
}

void RecordingReceiver::failNext(int count, int retryAfterSeconds, int status)
{
    std::lock_guard lock(m_handler->mutex);
    m_handler->failures = count;
    m_handler->retryAfter = retryAfterSeconds;
    m_handler->failStatus = status;
}

std::vector<RecordingReceiver::Request> RecordingReceiver::requests() const
{
    std::lock_guard lock(m_handler->mutex);
    return m_handler->requests;
}
