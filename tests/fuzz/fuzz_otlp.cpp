// Fuzzes the OTLP/HTTP decoders: the first byte picks logs, metrics or traces and JSON or protobuf, the
// rest is the body (padded as the ingest route hands it over). Every refused index must be one of the
// body's items.

#include <cstdint>
#include <string>

#include "ingest/otlplogdecoder.h"
#include "ingest/otlpmetricdecoder.h"
#include "ingest/otlptracedecoder.h"
#include "ingest/seriesregistry.h"
#include "ingest/serviceregistry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static fg::ServiceRegistry services(64);
    static fg::SeriesRegistry series(64, 1024);
    static fg::OtlpLogDecoder logs(&services);
    static fg::OtlpMetricDecoder metrics(&services, &series, fg::nowNs());
    static fg::OtlpTraceDecoder traces(&services);
    fg::IngestDecoder *decoders[] = {&logs, &metrics, &traces};
    fg::IngestDecoder *decoder = decoders[data[0] % 3];
    const fg::BodyFormat format = data[0] % 6 < 3 ? fg::BodyFormat::Json : fg::BodyFormat::Protobuf;
    std::string body(reinterpret_cast<const char *>(data) + 1, size - 1);
    body.append(fg::kJsonPadding, '\0');
    const fg::DecodeResult r =
        decoder->decode(std::string_view(body.data(), size - 1), format, fg::nowNs(), nullptr, {});
    for (int index : r.errors.indices())
        if (index < 0 || (index >= r.items && r.items > 0))
            __builtin_trap();
    return 0;
}
