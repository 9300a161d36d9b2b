#include "queryrunner.h"

#include <QDeadlineTimer>

#include "apierror.h"
#include "store/storereader.h"

namespace fg {

QueryRunner::QueryRunner(ReaderFactory openReader, int threads, int budgetMs)
    : m_openReader(std::move(openReader)), m_budgetMs(budgetMs)
{
    m_pool.setMaxThreadCount(threads);
    m_pool.setObjectName(QStringLiteral("fg-query"));
}

QueryRunner::~QueryRunner()
{
    interruptAll();
    m_pool.waitForDone();
}

void QueryRunner::interruptAll()
{
    // Shutting down: queries not started are dropped and running ones interrupted, so that stopping never
    // waits for a long query.
    m_stopping = true;
    m_pool.clear();
}

QueryRunner::Stats QueryRunner::stats() const
{
    Stats s;
    s.threads = m_pool.maxThreadCount();
    s.running = m_running.load();
    s.queued = m_waiting.load();
    s.timedOut = m_timedOut.load();
    s.cancelled = m_cancelled.load();
    s.refused = m_refused.load();
    return s;
}

void QueryRunner::run(Query query, HttpResponder responder)
{
    if (m_waiting.fetch_add(1) >= kMaxQueued) {
        m_waiting.fetch_sub(1);
        m_refused.fetch_add(1);
        return responder.send(apiError(503, QStringLiteral("too many queries are waiting; retry shortly")));
    }
    // The budget counts from the request, queueing included: a client is answered within it either way.
    const QDeadlineTimer deadline(m_budgetMs);
    m_pool.start([this, deadline, query = std::move(query), responder = std::move(responder)] {
        m_waiting.fetch_sub(1);
        if (responder.clientGone() || m_stopping) {
            m_cancelled.fetch_add(1);
            return;
        }
        m_running.fetch_add(1);
        bool timedOut = false;
        try {
            if (!m_readers.hasLocalData() || !m_readers.localData())
                m_readers.setLocalData(std::shared_ptr<StoreReader>(m_openReader()));
            StoreReader &reader = *m_readers.localData();
            reader.setInterrupt([this, &deadline, &timedOut, &responder] {
                timedOut = deadline.hasExpired();
                return timedOut || responder.clientGone() || m_stopping.load(std::memory_order_relaxed);
            });
            HttpResponse answer = query(reader);
            reader.setInterrupt({});
            responder.send(std::move(answer));
        } catch (const QueryInterrupted &) {
            m_readers.localData()->setInterrupt({});
            if (timedOut) {
                m_timedOut.fetch_add(1);
                responder.send(apiError(503, QStringLiteral("the query ran longer than %1 s (query_time_budget) and was "
                                                            "stopped; narrow the time range, the service or the search")
                                                 .arg(m_budgetMs / 1000),
                                        QJsonObject{{QStringLiteral("limit"), QStringLiteral("query_time_budget")}}));
            } else {
                m_cancelled.fetch_add(1);
                if (m_stopping)
                    responder.send(apiError(503, QStringLiteral("FlowGuard is shutting down")));
            }
        } catch (const std::exception &e) {
            // The details (SQL text among them) go to the log, not to the client.
            qWarning("query failed: %s", e.what());
            m_readers.setLocalData(nullptr); // reopen next time
            responder.send(apiError(500, QStringLiteral("the query failed in storage; see FlowGuard's log")));
        }
        m_running.fetch_sub(1);
    });
}

} // namespace fg
