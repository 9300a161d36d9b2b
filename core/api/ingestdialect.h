#pragma once

#include <optional>
#include <string>
#include <vector>

#include <QByteArray>

#include "ingest/httpmessage.h"
#include "ingest/jsonitems.h"

namespace fg {

// How one family of ingest endpoints reads media types and answers: FlowGuard's own 202 bodies, OTLP's
// partialSuccess, Loki's 204. Limits, overload and storage failures are answered the same for all
// (apiError with Retry-After where it applies). Stateless; used on the listener and writer threads.
class IngestDialect {
public:
    virtual ~IngestDialect() = default;
    // The body format for a media type (lower-case, parameters removed); nullopt: unsupported.
    virtual std::optional<BodyFormat> formatFor(const QByteArray &mediaType) const = 0;
    // 415 for a media type formatFor refused.
    virtual HttpResponse unsupportedType(const QByteArray &mediaType) const = 0;
    // The body is not this format at all.
    virtual HttpResponse malformed(const std::string &message) const = 0;
    // The valid items were committed; errors are the items refused on the way.
    virtual HttpResponse committed(int accepted, int duplicates, const ItemErrors &errors) const = 0;
    // No item was valid (errors is not empty).
    virtual HttpResponse allRejected(const ItemErrors &errors) const = 0;
    // What the route calls: dialects answering item by item (Elasticsearch _bulk) also see the decoder's
    // itemKinds, those answering with ids (events) its itemIds; the others answer as committed() or
    // allRejected().
    virtual HttpResponse answer(const std::string &itemKinds, const std::vector<std::string> &itemIds, int accepted,
                                int duplicates, const ItemErrors &errors) const
    {
        (void)itemKinds;
        (void)itemIds;
        return accepted == 0 && !errors.empty() ? allRejected(errors) : committed(accepted, duplicates, errors);
    }
    // 413 for a request over the format's item limit.
    virtual HttpResponse tooManyItems(int limit) const;
    // Every answer to a request of `format`, in that request's encoding (OTLP answers protobuf in protobuf).
    virtual HttpResponse inFormat(BodyFormat format, HttpResponse answer) const
    {
        (void)format;
        return answer;
    }
};

// The native answer body's counts and the first ItemErrors::kMaxListed errors, without the closing brace;
// "errors_truncated" says more were rejected. Shared by the dialects that report items.
std::string ingestCountsJson(int accepted, int duplicates, const ItemErrors &errors);
HttpResponse rawJsonResponse(int status, std::string body);

} // namespace fg
