#include "condition.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace fg {

namespace {

struct KpiName {
    const char *name;
    KpiField field;
    const char *label; // as explanations print it
};
constexpr KpiName kKpis[] = {
    {"error_rate", KpiField::ErrorRate, "error rate"},
    {"p50_latency_ms", KpiField::P50LatencyMs, "p50 latency"},
    {"p95_latency_ms", KpiField::P95LatencyMs, "p95 latency"},
    {"p99_latency_ms", KpiField::P99LatencyMs, "p99 latency"},
    {"throughput", KpiField::Throughput, "throughput"},
    {"throughput_rps", KpiField::Throughput, "throughput"},
    {"requests", KpiField::Requests, "requests"},
    {"events", KpiField::Events, "events"},
    {"errors", KpiField::Errors, "errors"},
};
constexpr const char *kKpiList = "error_rate, p50_latency_ms, p95_latency_ms, p99_latency_ms, throughput, requests, "
                                 "events, errors, count(level>=ERROR), count(*)";

bool isLatency(KpiField f)
{
    return f == KpiField::P50LatencyMs || f == KpiField::P95LatencyMs || f == KpiField::P99LatencyMs;
}

const char *labelOf(KpiField f)
{
    if (f == KpiField::ErrorEvents)
        return "events at ERROR or above";
    for (const KpiName &k : kKpis)
        if (k.field == f)
            return k.label;
    return "?";
}

std::string formatValue(KpiField f, double v, int digits)
{
    char buf[64];
    if (std::isnan(v))
        std::snprintf(buf, sizeof buf, "no data");
    else if (f == KpiField::ErrorRate)
        std::snprintf(buf, sizeof buf, "%.*g %%", digits, v * 100);
    else if (isLatency(f))
        std::snprintf(buf, sizeof buf, "%.*g ms", digits + 1, v);
    else if (f == KpiField::Throughput)
        std::snprintf(buf, sizeof buf, "%.*g req/s", digits + 1, v);
    else
        std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

// A value and its threshold as an explanation prints them: more digits where the usual ones would make
// them look equal ("5 % (rule: > 5 %)" for 5.04 %), so a page never seems to contradict its rule.
std::pair<std::string, std::string> formatPair(KpiField f, double v, double threshold)
{
    for (int digits = 3; digits < 8; ++digits) {
        std::string a = formatValue(f, v, digits), b = formatValue(f, threshold, digits);
        if (a != b || v == threshold || digits == 7)
            return {std::move(a), std::move(b)};
    }
    return {};
}

} // namespace

std::string ConditionError::text() const { return "column " + std::to_string(column) + ": " + message; }

class Condition::Parser {
public:
    Parser(std::string_view text, Condition &out, ConditionError *error) : m_s(text), m_out(out), m_error(error) {}

    bool run()
    {
        if (m_s.size() > kMaxBytes)
            return overLimit("max_condition_bytes", "the condition is longer than " + std::to_string(kMaxBytes)
                                                        + " bytes (max_condition_bytes)");
        skip();
        if (m_pos >= m_s.size())
            return fail("the condition is empty; write e.g. \"error_rate > 0.05\"");
        const int root = parseOr();
        if (root < 0)
            return false;
        skip();
        if (m_pos < m_s.size())
            return fail(m_s[m_pos] == ')' ? "unmatched ')'"
                                          : "unexpected '" + std::string(word()) + "' after a complete condition; join "
                                                "conditions with \"and\" or \"or\"");
        m_out.m_root = root;
        return true;
    }

private:
    void skip()
    {
        while (m_pos < m_s.size() && std::isspace(static_cast<unsigned char>(m_s[m_pos])))
            ++m_pos;
    }
    bool fail(const std::string &message)
    {
        if (m_error) {
            m_error->column = int(m_pos) + 1;
            m_error->message = message;
        }
        return false;
    }
    bool overLimit(const char *limit, const std::string &message)
    {
        if (m_error)
            m_error->limit = limit;
        return fail(message);
    }
    // The next identifier-like word (for messages and keywords).
    std::string_view word() const
    {
        std::size_t end = m_pos;
        while (end < m_s.size() && (std::isalnum(static_cast<unsigned char>(m_s[end])) || m_s[end] == '_'))
            ++end;
        return end == m_pos ? m_s.substr(m_pos, 1) : m_s.substr(m_pos, end - m_pos);
    }
    bool keyword(std::string_view kw, std::string_view symbol = {})
    {
        skip();
        if (!symbol.empty() && m_s.substr(m_pos, symbol.size()) == symbol) {
            m_pos += symbol.size();
            return true;
        }
        const std::string_view w = word();
        if (w.size() != kw.size())
            return false;
        for (std::size_t i = 0; i < w.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(w[i])) != kw[i])
                return false;
        m_pos += w.size();
        return true;
    }
    int add(Node n)
    {
        m_out.m_nodes.push_back(n);
        return int(m_out.m_nodes.size()) - 1;
    }
    int parseOr()
    {
        int left = parseAnd();
        while (left >= 0 && keyword("or", "||")) {
            const int right = parseAnd();
            if (right < 0)
                return -1;
            left = add(Node{Node::Or, {}, {}, 0, left, right});
        }
        return left;
    }
    int parseAnd()
    {
        int left = parseUnary();
        while (left >= 0 && keyword("and", "&&")) {
            const int right = parseUnary();
            if (right < 0)
                return -1;
            left = add(Node{Node::And, {}, {}, 0, left, right});
        }
        return left;
    }
    // Depth of the enclosing "not" and parentheses, so recursion stays within kMaxDepth.
    struct Nesting {
        explicit Nesting(int &depth) : m_depth(depth) { ++m_depth; }
        ~Nesting() { --m_depth; }
        int &m_depth;
    };
    bool tooDeep()
    {
        if (m_depth < kMaxDepth)
            return false;
        overLimit("max_condition_depth", "the condition nests \"not\" and parentheses deeper than "
                                             + std::to_string(kMaxDepth) + " levels (max_condition_depth)");
        return true;
    }
    int parseUnary()
    {
        skip();
        if (m_pos >= m_s.size())
            return fail("expected a KPI comparison at the end of the condition"), -1;
        if (keyword("not", "!")) {
            if (tooDeep())
                return -1;
            const Nesting nesting(m_depth);
            const int inner = parseUnary();
            return inner < 0 ? -1 : add(Node{Node::Not, {}, {}, 0, inner, -1});
        }
        if (m_s[m_pos] == '(') {
            if (tooDeep())
                return -1;
            const Nesting nesting(m_depth);
            ++m_pos;
            const int inner = parseOr();
            if (inner < 0)
                return -1;
            skip();
            if (m_pos >= m_s.size() || m_s[m_pos] != ')')
                return fail("missing ')'"), -1;
            ++m_pos;
            return inner;
        }
        return parseComparison();
    }
    std::optional<KpiField> parseKpi()
    {
        const std::size_t start = m_pos;
        const std::string_view w = word();
        if (w == "count") {
            m_pos += w.size();
            skip();
            if (m_pos >= m_s.size() || m_s[m_pos] != '(')
                return fail("expected '(' after count"), std::nullopt;
            ++m_pos;
            std::string inside;
            while (m_pos < m_s.size() && m_s[m_pos] != ')') {
                if (!std::isspace(static_cast<unsigned char>(m_s[m_pos])))
                    inside += char(std::tolower(static_cast<unsigned char>(m_s[m_pos])));
                ++m_pos;
            }
            if (m_pos >= m_s.size())
                return fail("missing ')' after count("), std::nullopt;
            ++m_pos;
            if (inside == "*")
                return KpiField::Events;
            if (inside == "level>=error" || inside == "level>error" || inside == "level>=err")
                return KpiField::ErrorEvents;
            m_pos = start;
            return fail("count() takes level>=ERROR or *"), std::nullopt;
        }
        for (const KpiName &k : kKpis)
            if (w == k.name) {
                m_pos += w.size();
                return k.field;
            }
        return fail("unknown KPI '" + std::string(w) + "'; known: " + kKpiList), std::nullopt;
    }
    int parseComparison()
    {
        if (++m_comparisons > kMaxComparisons)
            return overLimit("max_condition_comparisons", "the condition has more than " + std::to_string(kMaxComparisons)
                                                              + " comparisons (max_condition_comparisons)"),
                   -1;
        const auto field = parseKpi();
        if (!field)
            return -1;
        skip();
        static constexpr std::pair<std::string_view, Op> kOps[] = {{">=", Op::Ge}, {"<=", Op::Le}, {"==", Op::Eq},
                                                                   {"!=", Op::Ne}, {">", Op::Gt},  {"<", Op::Lt},
                                                                   {"=", Op::Eq}};
        std::optional<Op> op;
        for (const auto &[symbol, o] : kOps)
            if (m_s.substr(m_pos, symbol.size()) == symbol) {
                op = o;
                m_pos += symbol.size();
                break;
            }
        if (!op)
            return fail("expected a comparison (>, >=, <, <=, ==, !=) after " + std::string(labelOf(*field))), -1;
        skip();
        double number = 0;
        const char *begin = m_s.data() + m_pos, *end = m_s.data() + m_s.size();
        const auto [ptr, ec] = std::from_chars(begin, end, number);
        if (ec != std::errc() || !std::isfinite(number))
            return fail("expected a number"), -1;
        m_pos += std::size_t(ptr - begin);
        skip();
        if (m_pos < m_s.size() && m_s[m_pos] == '%') {
            if (*field != KpiField::ErrorRate)
                return fail("'%' only fits error_rate"), -1;
            number /= 100;
            ++m_pos;
        } else if (m_s.substr(m_pos, 2) == "ms" || (m_pos < m_s.size() && m_s[m_pos] == 's' && word() == "s")) {
            if (!isLatency(*field))
                return fail("a time unit only fits the latency KPIs"), -1;
            if (m_s[m_pos] == 's') {
                number *= 1000;
                ++m_pos;
            } else {
                m_pos += 2;
            }
        }
        return add(Node{Node::Compare, *field, *op, number, -1, -1});
    }

    std::string_view m_s;
    std::size_t m_pos = 0;
    int m_depth = 0;
    int m_comparisons = 0;
    Condition &m_out;
    ConditionError *m_error;
};

std::optional<Condition> Condition::parse(std::string_view text, ConditionError *error)
{
    Condition c;
    c.m_text = std::string(text);
    Parser parser(text, c, error);
    if (!parser.run())
        return std::nullopt;
    return c;
}

bool Condition::eval(int index, const KpiWindow &w, bool holding) const
{
    const Node &n = m_nodes[std::size_t(index)];
    switch (n.kind) {
    case Node::And:
        return eval(n.left, w, holding) && eval(n.right, w, holding);
    case Node::Or:
        return eval(n.left, w, holding) || eval(n.right, w, holding);
    case Node::Not:
        return !eval(n.left, w, holding);
    case Node::Compare:
        break;
    }
    const double v = w.value(n.field);
    if (std::isnan(v))
        return false;
    // An error rate over few requests says little: to start an alert it needs enough failures and its
    // plausible range (Wilson bound) wholly on the alerting side. A firing alert holds on the plain rate.
    if (n.field == KpiField::ErrorRate && !holding) {
        switch (n.op) {
        case Op::Gt:
        case Op::Ge:
            if (w.failures() < (n.threshold > 0 ? kMinFailures : 1))
                return false;
            return n.op == Op::Gt ? w.errorRateLowerBound() > n.threshold : w.errorRateLowerBound() >= n.threshold;
        case Op::Lt:
        case Op::Le:
            if (w.trials() < kMinTrials)
                return false;
            return n.op == Op::Lt ? w.errorRateUpperBound() < n.threshold : w.errorRateUpperBound() <= n.threshold;
        default:
            break;
        }
    }
    const double margin = holding ? 0.1 * std::fabs(n.threshold) : 0.0;
    switch (n.op) {
    case Op::Gt:
        return v > n.threshold - margin;
    case Op::Ge:
        return v >= n.threshold - margin;
    case Op::Lt:
        return v < n.threshold + margin;
    case Op::Le:
        return v <= n.threshold + margin;
    case Op::Eq:
        return v == n.threshold;
    case Op::Ne:
        return v != n.threshold;
    }
    return false;
}

bool Condition::evaluate(const KpiWindow &window, bool holding) const
{
    return m_root >= 0 && eval(m_root, window, holding);
}

std::string Condition::describe(const KpiWindow &window) const
{
    static constexpr const char *kSymbols[] = {">", "≥", "<", "≤", "=", "≠"};
    std::string out;
    for (const Node &n : m_nodes) {
        if (n.kind != Node::Compare)
            continue;
        if (!out.empty())
            out += "; ";
        const auto [value, threshold] = formatPair(n.field, window.value(n.field), n.threshold);
        out += std::string(labelOf(n.field)) + " " + value;
        if (n.field == KpiField::ErrorRate && window.trials() > 0) {
            // The evidence the decision rests on: counts and the plausible range.
            const bool above = n.op == Op::Gt || n.op == Op::Ge;
            const double bound = above ? window.errorRateLowerBound() : window.errorRateUpperBound();
            out += " (" + std::to_string(window.failures()) + " of " + std::to_string(window.trials()) + ", "
                   + (above ? "at least " : "at most ") + formatPair(n.field, bound, n.threshold).first
                   + " at 95 % confidence)";
        }
        out += std::string(" (rule: ") + kSymbols[int(n.op)] + " " + threshold + ")";
    }
    return out;
}

} // namespace fg
