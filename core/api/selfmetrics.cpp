#include "selfmetrics.h"

#include <cmath>
#include <cstdio>

namespace fg {

void IngestCounters::observeCommit(double seconds)
{
    std::size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i])
        ++i;
    buckets[i].fetch_add(1, std::memory_order_relaxed);
    durationMicros.fetch_add(std::int64_t(std::llround(seconds * 1e6)), std::memory_order_relaxed);
}

void HttpCounters::count(const char *route, int status)
{
    std::lock_guard lock(m_mutex);
    ++m_counts[{route, status}];
}

std::map<std::pair<std::string, int>, std::int64_t> HttpCounters::snapshot() const
{
    std::lock_guard lock(m_mutex);
    return m_counts;
}

void PrometheusText::family(const char *name, const char *type, const char *help)
{
    m_out += "# HELP ";
    m_out += name;
    m_out += ' ';
    m_out += help;
    m_out += "\n# TYPE ";
    m_out += name;
    m_out += ' ';
    m_out += type;
    m_out += '\n';
}

void PrometheusText::sample(const std::string &name, const std::string &labels, double value)
{
    m_out += name;
    if (!labels.empty()) {
        m_out += '{';
        m_out += labels;
        m_out += '}';
    }
    char buf[40];
    if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15)
        std::snprintf(buf, sizeof buf, " %.0f\n", value);
    else
        std::snprintf(buf, sizeof buf, " %.9g\n", value);
    m_out += buf;
}

std::string PrometheusText::label(const char *name, const std::string &value)
{
    std::string out = name;
    out += "=\"";
    for (char c : value) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    out += '"';
    return out;
}

} // namespace fg
