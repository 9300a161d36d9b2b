#include "anomalyrecord.h"

#include <cstdio>

namespace fg {

std::string indicatorsJson(const AnomalyRecord &a)
{
    std::string out = "[";
    char buf[256];
    for (const AnomalySignal &s : a.indicators) {
        std::snprintf(buf, sizeof buf, "%s{\"name\":\"%s\",\"current\":%.10g,\"baseline\":%.10g,\"ratio\":%.10g,\"sigma\":%.10g}",
                      out.size() > 1 ? "," : "", s.name.c_str(), s.current, s.baseline, s.ratio, s.sigma);
        out += buf;
    }
    out += ']';
    return out;
}

} // namespace fg
