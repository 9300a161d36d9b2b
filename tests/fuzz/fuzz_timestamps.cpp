// Fuzzes event-time parsing (ISO 8601 with any offset, epoch seconds to nanoseconds as text): no crash,
// no overflow (UBSan), and every accepted time formats back.

#include <cstdint>
#include <string_view>

#include "model/timestamp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    if (const auto t = fg::parseTimeText(text))
        (void)fg::formatIsoMs(*t);
    if (const auto t = fg::parseIsoTime(text))
        (void)fg::formatIsoMs(*t);
    return 0;
}
