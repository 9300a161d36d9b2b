#pragma once

#include "ingestdialect.h"

namespace fg {

// FlowGuard's own answers (/api/ingest/*, /ingest): 202 {"accepted","duplicates","rejected","errors"}
// once committed, 422 when every item was invalid, 400 for a body that is not JSON. acceptText: plain text
// bodies are accepted too (raw log lines).
class NativeDialect final : public IngestDialect {
public:
    explicit NativeDialect(bool acceptText = false) : m_acceptText(acceptText) {}
    std::optional<BodyFormat> formatFor(const QByteArray &mediaType) const override;
    HttpResponse unsupportedType(const QByteArray &mediaType) const override;
    HttpResponse malformed(const std::string &message) const override;
    HttpResponse committed(int accepted, int duplicates, const ItemErrors &errors) const override;
    HttpResponse allRejected(const ItemErrors &errors) const override;

private:
    bool m_acceptText;
};

} // namespace fg
