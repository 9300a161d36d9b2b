#pragma once

#include <QThreadPool>
#include <QThreadStorage>

#include <functional>
#include <memory>
#include <string>

#include "ingest/httpresponder.h"

namespace fg {

class StoreReader;

// Runs read queries off the listener thread, on a small pool whose threads each keep their own
// StoreReader (for SQLite: a read-only connection). The listener never waits for SQL.
class QueryRunner final {
public:
    using ReaderFactory = std::function<std::unique_ptr<StoreReader>()>;
    explicit QueryRunner(ReaderFactory openReader, int threads = 2);
    ~QueryRunner();

    using Query = std::function<HttpResponse(StoreReader &)>;
    void run(Query query, HttpResponder responder);

private:
    ReaderFactory m_openReader;
    QThreadPool m_pool;
    QThreadStorage<std::shared_ptr<StoreReader>> m_readers;
};

} // namespace fg
