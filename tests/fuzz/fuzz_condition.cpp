// Fuzzes the rule condition parser and evaluator: bounded size, depth and comparisons whatever is sent
// (the 40,000 '(' stack overflow of issue 8), and a parsed condition always evaluates and describes.

#include <cstdint>
#include <string_view>

#include "alerting/condition.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    fg::ConditionError error;
    const auto condition = fg::Condition::parse(text, &error);
    if (!condition)
        return 0;
    fg::KpiWindow window;
    (void)condition->evaluate(window);
    (void)condition->evaluate(window, true);
    (void)condition->describe(window);
    return 0;
}
