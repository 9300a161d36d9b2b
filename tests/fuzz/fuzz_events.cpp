// Fuzzes the events decoder (POST /events/batch: {"events":[…]}) with a service cap, as the ingest route
// calls it: a padded body.

#include <cstdint>
#include <string>

#include "ingest/eventdecoder.h"
#include "ingest/serviceregistry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fg::ServiceRegistry services(64);
    static fg::EventDecoder decoder(fg::EventDecoder::Shape::Batch, &services);
    std::string body(reinterpret_cast<const char *>(data), size);
    body.append(fg::kJsonPadding, '\0');
    const std::string_view padded(body.data(), size);
    const fg::DecodeResult r = decoder.decode(padded, fg::BodyFormat::Json, fg::nowNs(), nullptr, "");
    // A batch is whole or refused: every accepted event has its id, nothing is kept beside a refusal.
    if (r.accepted != int(r.batch.logs.size()) || r.accepted != int(r.itemIds.size()))
        __builtin_trap();
    if (r.errors.total() > 0 && r.accepted > 0)
        __builtin_trap();
    for (int index : r.errors.indices())
        if (index < 0 || index >= r.items)
            __builtin_trap();
    return 0;
}
