#pragma once

#include "model/records.h"

namespace fg {

// Fills in what an event did not say about itself, from its own text: latency, status, method and
// endpoint when those fields are missing, and the level when it is missing or unrecognised (the level
// as sent stays in levelRaw). Runs on every ingested event, on a decode worker.
class LogClassifier final {
public:
    void enrich(LogRecord &record) const;
};

} // namespace fg
