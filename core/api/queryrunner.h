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
// read-only connection. The listener never waits for SQL.
class QueryRunner final {
public:
    explicit QueryRunner(std::string dbPath, int threads = 2);
    ~QueryRunner();

    using Query = std::function<HttpResponse(StoreReader &)>;
    void run(Query query, HttpResponder responder);

private:
    std::string m_dbPath;
    QThreadPool m_pool;
    QThreadStorage<std::shared_ptr<StoreReader>> m_readers;
};

} // namespace fg
