#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kpiwindow.h"

namespace fg {

// Where a condition does not parse: 1-based column and what was expected there.
struct ConditionError {
    int column = 0;
    std::string message;
    // Set when the condition is refused for its size rather than its syntax (the API answers 422).
    const char *limit = nullptr;
    std::string text() const; // "column 12: expected a number after '>'"
};

// A rule condition over a window of KPIs, parsed once:
//   condition  := or
//   or         := and { ("or" | "||") and }
//   and        := unary { ("and" | "&&") unary }
//   unary      := "not" unary | "(" or ")" | comparison
//   comparison := kpi (">" | ">=" | "<" | "<=" | "==" | "!=") number [unit]
//   kpi        := error_rate | p50_latency_ms | p95_latency_ms | p99_latency_ms | throughput | requests
//               | events | errors | count(level>=ERROR) | count(*)
//   unit       := "%" (error_rate) | "ms" | "s" (latencies)
// e.g. "error_rate > 0.05", "p95_latency_ms > 800 and error_rate > 1%", "count(level>=ERROR) > 50".
class Condition final {
public:
    // A rule's condition is a handful of comparisons; these bounds keep parsing and evaluation (both
    // recursive) small and fast whatever is sent.
    static constexpr std::size_t kMaxBytes = 1024;
    static constexpr int kMaxDepth = 16;       // nested parentheses and "not"
    static constexpr int kMaxComparisons = 32;
    // Least evidence before an error-rate comparison can start an alert: failures for "above", requests
    // for "below".
    static constexpr std::uint64_t kMinFailures = 3;
    static constexpr std::uint64_t kMinTrials = 20;

    static std::optional<Condition> parse(std::string_view text, ConditionError *error);

    // holding: the alert already fires; each threshold then moves 10 % to the safe side, so a value
    // hovering at the threshold does not make the alert flap. Without it an error-rate comparison also
    // needs evidence: kMinFailures and its 95 % Wilson bound beyond the threshold.
    bool evaluate(const KpiWindow &window, bool holding = false) const;
    // The comparisons with the window's values, for explanations: "error rate 7.2 % > 5 %; p95 latency …".
    std::string describe(const KpiWindow &window) const;
    const std::string &text() const { return m_text; }

private:
    enum class Op { Gt, Ge, Lt, Le, Eq, Ne };
    struct Node {
        enum Kind { Compare, And, Or, Not } kind = Compare;
        KpiField field = KpiField::ErrorRate;
        Op op = Op::Gt;
        double threshold = 0;
        int left = -1, right = -1;
    };
    class Parser;
    bool eval(int node, const KpiWindow &w, bool holding) const;

    std::string m_text;
    std::vector<Node> m_nodes;
    int m_root = -1;
};

} // namespace fg
