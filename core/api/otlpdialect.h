#pragma once

#include "ingestdialect.h"

namespace fg {

// OTLP/HTTP answers (/v1/logs, /v1/metrics, /v1/traces): 200 {"partialSuccess":{}} once committed, with
// the count of refused items (rejectedLogRecords, rejectedDataPoints or rejectedSpans) and an errorMessage
// naming the first ones when some were refused, so the exporter does not retry; 400 with
// {"code":3 (INVALID_ARGUMENT),"error","message","details"} for a body that is not OTLP JSON or holds no
// valid item. JSON only: protobuf is answered 415 naming the JSON protocol.
class OtlpDialect final : public IngestDialect {
public:
    // rejectedField: "rejectedLogRecords", "rejectedDataPoints" or "rejectedSpans"; itemName for messages.
    OtlpDialect(const char *rejectedField, const char *itemName) : m_rejectedField(rejectedField), m_itemName(itemName) {}
    std::optional<BodyFormat> formatFor(const QByteArray &mediaType) const override;
    HttpResponse unsupportedType(const QByteArray &mediaType) const override;
    HttpResponse malformed(const std::string &message) const override;
    HttpResponse committed(int accepted, int duplicates, const ItemErrors &errors) const override;
    HttpResponse allRejected(const ItemErrors &errors) const override;

private:
    std::string describe(const ItemErrors &errors) const;

    const char *m_rejectedField;
    const char *m_itemName;
};

} // namespace fg
