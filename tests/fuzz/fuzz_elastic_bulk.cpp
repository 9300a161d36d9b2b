// Fuzzes the Elasticsearch _bulk decoder (NDJSON action and document lines through simdjson) with a
// service cap and a default index, as the ingest route calls it: a padded body.

#include <cstdint>
#include <string>

#include "ingest/elasticbulkdecoder.h"
#include "ingest/serviceregistry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fg::ServiceRegistry services(64);
    static fg::ElasticBulkDecoder decoder(&services);
    std::string body(reinterpret_cast<const char *>(data), size);
    body.append(fg::kJsonPadding, '\0');
    const std::string_view padded(body.data(), size);
    const fg::DecodeResult r = decoder.decode(padded, fg::BodyFormat::Ndjson, fg::nowNs(), nullptr, "logs-default");
    // Every item has its kind, and every refused index is one of them.
    if (r.malformed.empty() && !r.tooManyItems && int(r.itemKinds.size()) != r.items)
        __builtin_trap();
    for (int index : r.errors.indices())
        if (index < 0 || index >= r.items)
            __builtin_trap();
    return 0;
}
