// Fuzzes the native log decoder (JSON array, object or NDJSON through simdjson) with a service cap, as
// the ingest route calls it: a padded body, in each body format.

#include <cstdint>
#include <string>

#include "ingest/nativelogdecoder.h"
#include "ingest/serviceregistry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fg::ServiceRegistry services(64);
    static fg::NativeLogDecoder decoder(&services);
    std::string body(reinterpret_cast<const char *>(data), size);
    body.append(fg::kJsonPadding, '\0');
    const std::string_view padded(body.data(), size);
    for (fg::BodyFormat format : {fg::BodyFormat::Json, fg::BodyFormat::Ndjson, fg::BodyFormat::Auto})
        (void)decoder.decode(padded, format, fg::nowNs(), nullptr, {});
    return 0;
}
