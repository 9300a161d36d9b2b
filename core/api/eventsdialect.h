#pragma once

#include "ingestdialect.h"

namespace fg {

// The events API's answers (POST /events, /events/batch): 201 {"success":true,"message":…,"data":{"event_id"}}
// (a batch: "event_ids" and counts) once committed; a re-sent event id is answered the same, counted as a
// duplicate. Refusals are {"success":false,"error":…,"message":"<field> …","details":{"field","index"}} with
// 400 (a batch is refused whole), 413 past the batch limit and 415 for a body that is not JSON.
class EventsDialect final : public IngestDialect {
public:
    explicit EventsDialect(bool batch) : m_batch(batch) {}
    std::optional<BodyFormat> formatFor(const QByteArray &mediaType) const override;
    HttpResponse unsupportedType(const QByteArray &mediaType) const override;
    HttpResponse malformed(const std::string &message) const override;
    HttpResponse committed(int accepted, int duplicates, const ItemErrors &errors) const override;
    HttpResponse allRejected(const ItemErrors &errors) const override;
    HttpResponse answer(const std::string &itemKinds, const std::vector<std::string> &itemIds, int accepted,
                        int duplicates, const ItemErrors &errors) const override;
    HttpResponse tooManyItems(int limit) const override;

private:
    bool m_batch;
};

} // namespace fg
