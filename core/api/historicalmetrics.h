#pragma once

#include "ingest/httpmessage.h"

namespace fg {

class HttpResponder;
class QueryRunner;

// GET /metrics/historical?start=&end=&interval=1h: the stored KPI minutes of every service merged into
// interval buckets (events and requests per second, error rate, average and p95 response time). start
// defaults to 24 h before end, end to now; interval is whole minutes, at most 10,000 buckets. Runs on
// the query pool.
void historicalMetrics(const HttpRequest &request, QueryRunner *queries, const HttpResponder &responder);

} // namespace fg
