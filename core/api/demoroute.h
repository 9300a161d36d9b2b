#pragma once

#include "ingest/httpresponder.h"

namespace fg {

class AnalysisWorker;

// DELETE /api/demo: removes the demo services' data (logs, metrics, KPI minutes, anomalies, templates,
// alerts, incidents) from analysis and storage; other services are untouched. Answered once durable with
// what was removed.
void clearDemoData(AnalysisWorker *analysis, const HttpResponder &responder);

} // namespace fg
