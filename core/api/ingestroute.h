#pragma once

#include <memory>

#include "analysis/logclassifier.h"
#include "analysis/tagger.h"
#include "ingest/httpresponder.h"
#include "ingest/ingestdecoder.h"
#include "ingestdialect.h"
#include "selfmetrics.h"

namespace fg {

class InflightBudget;
class StoreWriter;
struct IngestStats;

// One ingest endpoint: inflates, decodes with its format's decoder, classifies log events, hands the
// valid items to the store writer as one atomic job and answers (in its dialect: 202, OTLP's 200, Loki's
// 204) only once they are committed. Lives on the listener thread; the completion runs on the writer
// thread and only posts the response.
class IngestRoute final {
public:
    IngestRoute(std::unique_ptr<IngestDecoder> decoder, std::shared_ptr<const IngestDialect> dialect,
                std::shared_ptr<IngestCounters> counters, StoreWriter *writer, InflightBudget *budget,
                IngestStats *stats, const TagRulesHolder *tagRules, qint64 maxDecompressedBytes);

    // Media-type and encoding checks done on the head, before the body is read.
    std::optional<HttpResponse> checkHead(const HttpRequest &head) const;
    void handle(HttpRequest &&request, const HttpResponder &responder);
    const IngestCounters &counters() const { return *m_counters; }

private:
    std::unique_ptr<IngestDecoder> m_decoder;
    std::shared_ptr<const IngestDialect> m_dialect;
    std::shared_ptr<IngestCounters> m_counters;
    LogClassifier m_classifier;
    const TagRulesHolder *m_tagRules;
    StoreWriter *m_writer;
    InflightBudget *m_budget;
    IngestStats *m_stats;
    qint64 m_maxDecompressed;
};

} // namespace fg
