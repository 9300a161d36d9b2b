// Fuzzes the Loki push decoder with a service cap, as the ingest route calls it (a padded body): the
// input as a JSON push (streams of [ns, line] and [ns, line, {metadata}] values), as a protobuf push
// (a snappy block of a PushRequest), and as a stream's label set ({name="value", ...}).

#include <cstdint>
#include <string>

#include "ingest/lokiprotobuf.h"
#include "ingest/lokipushdecoder.h"
#include "ingest/serviceregistry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static fg::ServiceRegistry services(64);
    static fg::LokiPushDecoder decoder(&services);
    std::string body(reinterpret_cast<const char *>(data), size);
    body.append(fg::kJsonPadding, '\0');
    for (const fg::BodyFormat format : {fg::BodyFormat::Json, fg::BodyFormat::Protobuf}) {
        const fg::DecodeResult r = decoder.decode(std::string_view(body.data(), size), format, fg::nowNs(), nullptr, {});
        for (int index : r.errors.indices())
            if (index < 0 || (index >= r.items && r.items > 0))
                __builtin_trap();
    }
    std::string members;
    fg::loki::labelsAsJsonMembers(std::string_view(body.data(), size), members);
    return 0;
}
