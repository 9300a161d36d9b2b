#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "analysis/logclassifier.h"
#include "analysis/tagger.h"
#include "ingest/httpresponder.h"
#include "ingest/ingestdecoder.h"
#include "ingestdialect.h"
#include "selfmetrics.h"

namespace fg {

class DecodePool;
class InflightBudget;
class StoreWriter;
struct IngestStats;

// One ingest endpoint: inflates, decodes with its format's decoder, classifies log events, hands the
// valid items to the store writer as one atomic job and answers (in its dialect: 202, OTLP's 200, Loki's
// 204) only once they are committed. handle() runs on the listener thread and only queues the body to the
// decode pool (503 when the pool is full); decoding up to the writer's submit runs on a pool worker, with
// that worker's own decoder; the completion runs on the writer thread and only posts the response.
class IngestRoute final {
public:
    using DecoderFactory = std::function<std::unique_ptr<IngestDecoder>()>;
    // pool may be null for a route table that is never asked to handle requests (tests, tools).
    IngestRoute(const DecoderFactory &makeDecoder, std::shared_ptr<const IngestDialect> dialect,
                std::shared_ptr<IngestCounters> counters, StoreWriter *writer, InflightBudget *budget,
                IngestStats *stats, const TagRulesHolder *tagRules, qint64 maxDecompressedBytes, DecodePool *pool);

    // Media-type and encoding checks done on the head, before the body is read.
    std::optional<HttpResponse> checkHead(const HttpRequest &head) const;
    // orderKey non-zero: requests with the same key are committed in the order they are handled (one
    // WebSocket client, the syslog listener); HTTP connections already send one request at a time.
    void handle(HttpRequest &&request, const HttpResponder &responder, std::size_t orderKey = 0);
    const IngestCounters &counters() const { return *m_counters; }

private:
    struct Work {
        QByteArray body;
        bool gzip = false;
        BodyFormat format = BodyFormat::Auto;
        std::string queryService;
        TimeNs receivedAt = 0;
    };
    // On pool worker `worker`: from the body to the writer's submit (or an error answer).
    void decode(int worker, Work &work, const HttpResponder &responder);

    std::vector<std::unique_ptr<IngestDecoder>> m_decoders; // one per pool worker, used by it alone
    DecodePool *m_pool;
    bool m_ordered; // the decoder keeps state between requests: every request goes to one worker, in order
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
