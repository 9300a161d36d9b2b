#include "logclassifier.h"

#include "levelinference.h"
#include "messagefields.h"

namespace fg {

void LogClassifier::enrich(LogRecord &r) const
{
    const bool wantsFields = std::isnan(r.latencyMs) || r.statusCode == 0 || r.endpoint.empty() || r.method.empty();
    if (wantsFields && !r.message.empty()) {
        MessageFields f = scanMessage(r.message);
        if (std::isnan(r.latencyMs))
            r.latencyMs = f.latencyMs;
        if (r.statusCode == 0)
            r.statusCode = f.statusCode;
        if (r.method.empty())
            r.method = std::move(f.method);
        if (r.endpoint.empty())
            r.endpoint = std::move(f.path);
    }
    if (r.level == Level::Unknown)
        r.level = inferLevel(r.message, r.statusCode);
}

} // namespace fg
