#pragma once

#include "ingestdialect.h"

namespace fg {

// Loki push answers (/loki/api/v1/push): 204 No Content once committed. Entries that were refused make
// the answer 400 (as Loki answers rejected entries, which clients do not retry) with a JSON body counting
// and naming them; the valid entries of the request are stored all the same and counted in it. JSON
// only: snappy-compressed protobuf is answered 415 naming the JSON form.
class LokiDialect final : public IngestDialect {
public:
    std::optional<BodyFormat> formatFor(const QByteArray &mediaType) const override;
    HttpResponse unsupportedType(const QByteArray &mediaType) const override;
    HttpResponse malformed(const std::string &message) const override;
    HttpResponse committed(int accepted, int duplicates, const ItemErrors &errors) const override;
    HttpResponse allRejected(const ItemErrors &errors) const override;
};

} // namespace fg
