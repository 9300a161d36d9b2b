#include "queryrunner.h"

#include "apierror.h"
#include "store/storereader.h"


namespace fg {

QueryRunner::QueryRunner(ReaderFactory openReader, int threads) : m_openReader(std::move(openReader))
{
    m_pool.setMaxThreadCount(threads);
    m_pool.setObjectName(QStringLiteral("fg-query"));
}

QueryRunner::~QueryRunner() { m_pool.waitForDone(); }

void QueryRunner::run(Query query, HttpResponder responder)
{
    m_pool.start([this, query = std::move(query), responder = std::move(responder)] {
        try {
            if (!m_readers.hasLocalData() || !m_readers.localData())
                m_readers.setLocalData(std::shared_ptr<StoreReader>(m_openReader()));
            responder.send(query(*m_readers.localData()));
        } catch (const std::exception &e) {
            m_readers.setLocalData(nullptr); // reopen next time
            responder.send(apiError(500, QStringLiteral("query failed: %1").arg(QString::fromUtf8(e.what()))));
        }
    });
}

} // namespace fg
