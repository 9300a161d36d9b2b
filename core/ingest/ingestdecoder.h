#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fieldvalues.h"
#include "jsonitems.h"
#include "model/records.h"

namespace fg {

class DecodeBudget;
class ServiceRegistry;

struct DecodeResult {
    IngestBatch batch;
    int items = 0;    // items in the request
    int accepted = 0; // items that became records
    ItemErrors errors;
    std::string malformed; // set: the body is not parseable at all (HTTP 400)
    bool tooManyItems = false; // decoding stopped at itemLimit (HTTP 413)
    int itemLimit = kMaxItemsPerRequest; // a format's own, lower, limit on items per request
    bool overBudget = false; // decoding stopped: the records did not fit the in-flight budget
    std::string itemKinds; // per item, for dialects that answer item by item (Elasticsearch _bulk); else empty
    std::vector<std::string> itemIds; // ids of the accepted items, for dialects that answer with them (events)

    // The last step of every log decoder: a record of a service past the cap is refused as item `index`,
    // otherwise it is charged to the budget and kept. False once the budget is spent: decoding stops.
    bool keepLog(LogRecord &&r, int index, ServiceRegistry *services, DecodeBudget *budget);
    // One JSON item of a log decoder: refused as item `index` unless it is an object (naming `field`, with
    // `notAnObject`) or when `decode(object, record, error)` says what is wrong; otherwise keepLog.
    template <typename Decode>
    bool keepLogObject(simdjson::dom::element item, int index, const char *field, const char *notAnObject,
                       Decode &&decode, ServiceRegistry *services, DecodeBudget *budget)
    {
        if (!item.is_object()) {
            errors.add({index, field, notAnObject});
            return true;
        }
        LogRecord r;
        ItemError error;
        if (!decode(jsonObject(item), r, error)) {
            error.index = index;
            errors.add(std::move(error));
            return true;
        }
        return keepLog(std::move(r), index, services, budget);
    }
};

// One decoder per wire format (native logs and metrics, OTLP logs, metrics and traces, Loki push, raw
// lines). An instance is used by one decode worker only: it keeps its parser buffers (and any per-series
// state) between requests.
class IngestDecoder {
public:
    virtual ~IngestDecoder() = default;
    // True when what one request decodes to depends on earlier requests (per-series state): all of the
    // format's requests must then go to one instance, in order.
    virtual bool keepsState() const { return false; }
    // budget may be null (no accounting). queryService: the service the request names (?service=), for
    // formats whose items may not name one; empty when none.
    virtual DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                                DecodeBudget *budget, std::string_view queryService) = 0;
};

} // namespace fg
