#pragma once

#include "ingestdialect.h"
#include "ingest/otlpprotobuf.h"

namespace fg {

// OTLP/HTTP answers (/v1/logs, /v1/metrics, /v1/traces): 200 {"partialSuccess":{}} once committed, with
// the count of refused items (rejectedLogRecords, rejectedDataPoints or rejectedSpans) and an errorMessage
// naming the first ones when some were refused, so the exporter does not retry; 400 with
// {"code":3 (INVALID_ARGUMENT),"error","message","details"} for a body that is not OTLP JSON or holds no
// valid item. JSON only: protobuf is answered 415 naming the JSON protocol.
class OtlpDialect final : public IngestDialect {
public:
    explicit OtlpDialect(otlp::Signal signal);
    std::optional<BodyFormat> formatFor(const QByteArray &mediaType) const override;
    HttpResponse unsupportedType(const QByteArray &mediaType) const override;
    HttpResponse malformed(const std::string &message) const override;
    HttpResponse committed(int accepted, int duplicates, const ItemErrors &errors) const override;
    HttpResponse allRejected(const ItemErrors &errors) const override;
    HttpResponse inFormat(BodyFormat format, HttpResponse answer) const override;

private:
    std::string describe(const ItemErrors &errors) const;

    otlp::Signal m_signal;
    const char *m_rejectedField; // "rejectedLogRecords", "rejectedDataPoints" or "rejectedSpans"

    const char *m_itemName; // for messages
};

} // namespace fg
