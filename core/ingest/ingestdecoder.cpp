#include "ingestdecoder.h"

#include "decodebudget.h"
#include "serviceregistry.h"

namespace fg {

bool DecodeResult::keepLog(LogRecord &&r, int index, ServiceRegistry *services, DecodeBudget *budget)
{
    if (services && !services->admit(r.service)) {
        errors.add({index, "service", serviceLimitMessage(services->max())});
        return true;
    }
    if (budget && !budget->charge(std::int64_t(approxBytes(r)))) {
        overBudget = true;
        return false;
    }
    batch.logs.push_back(std::move(r));
    ++accepted;
    return true;
}

} // namespace fg
