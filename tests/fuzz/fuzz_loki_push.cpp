// Fuzzes the Loki push decoder (JSON streams of [ns, line] and [ns, line, {metadata}] values) with a
// service cap, as the ingest route calls it: a padded body.

#include <cstdint>
#include <string>

#include "ingest/lokipushdecoder.h"
#include "ingest/serviceregistry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fg::ServiceRegistry services(64);
    static fg::LokiPushDecoder decoder(&services);
    std::string body(reinterpret_cast<const char *>(data), size);
    body.append(fg::kJsonPadding, '\0');
    const fg::DecodeResult r = decoder.decode(std::string_view(body.data(), size), fg::BodyFormat::Json, fg::nowNs(), nullptr, {});
    for (int index : r.errors.indices())
        if (index < 0 || (index >= r.items && r.items > 0))
            __builtin_trap();
    return 0;
}
