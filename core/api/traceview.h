#pragma once

#include <functional>
#include <vector>

#include <QJsonObject>

#include "store/storereader.h"

namespace fg {

// GET /api/traces/{trace_id}: a trace's stored events as a tree. Spans (events tagged span) nest under
// their parent span ("children", by parent_span_id); log events sit under the span they name ("logs", by
// span_id) or at the top. Spans whose parent was not received are roots; nesting stops at kMaxDepth (a
// deeper span starts a tree of its own), so a hostile parent chain cannot make the answer arbitrarily
// deep. Built on a query thread; render turns one row into its JSON object.
class TraceView final {
public:
    static constexpr int kMaxDepth = 64;
    static QJsonObject build(const std::vector<StoredLog> &rows, const std::function<QJsonObject(const StoredLog &)> &render);
};

} // namespace fg
