#pragma once

#include "ingestdecoder.h"

namespace fg {

// POST /api/ingest/logs: FlowGuard's own JSON log objects (array, single object or NDJSON).
// Fields not in the schema are kept inside attributes rather than dropped.
class NativeLogDecoder final : public IngestDecoder {
public:
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                        DecodeBudget *budget) override;

private:
    JsonItems m_items;
};

} // namespace fg
