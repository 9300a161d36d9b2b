#include "traceview.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <unordered_map>

namespace fg {

namespace {

bool isSpan(const LogRecord &r) { return r.tags.find(",span,") != std::string::npos; }

std::string parentOf(const LogRecord &r)
{
    const QJsonObject attrs = QJsonDocument::fromJson(QByteArray::fromStdString(r.attributes)).object();
    return attrs.value(QStringLiteral("parent_span_id")).toString().toStdString();
}

} // namespace

QJsonObject TraceView::build(const std::vector<StoredLog> &rows, const std::function<QJsonObject(const StoredLog &)> &render)
{
    std::vector<std::size_t> spans;
    std::unordered_map<std::string, std::size_t> bySpanId; // span id → index into spans
    // Rows come newest first; the tree reads oldest first.
    for (std::size_t i = rows.size(); i-- > 0;)
        if (isSpan(rows[i].record)) {
            bySpanId.emplace(rows[i].record.spanId, spans.size());
            spans.push_back(i);
        }
    const std::size_t n = spans.size();
    std::vector<std::vector<std::size_t>> children(n);
    std::vector<bool> hasParent(n, false);
    for (std::size_t s = 0; s < n; ++s) {
        const auto it = bySpanId.find(parentOf(rows[spans[s]].record));
        if (it != bySpanId.end() && it->second != s) {
            children[it->second].push_back(s);
            hasParent[s] = true;
        }
    }
    QJsonArray topLogs;
    std::vector<QJsonArray> spanLogs(n);
    for (auto row = rows.rbegin(); row != rows.rend(); ++row) {
        if (isSpan(row->record))
            continue;
        const auto it = bySpanId.find(row->record.spanId);
        if (it != bySpanId.end())
            spanLogs[it->second].append(render(*row));
        else
            topLogs.append(render(*row));
    }
    // Breadth first from the roots, then from whatever is left (parent cycles), without revisiting; a
    // span past kMaxDepth becomes a root. Objects are then built children first.
    std::vector<std::size_t> order;
    std::vector<int> depth(n, -1);
    std::vector<bool> isRoot(n, false);
    auto visitFrom = [&](std::size_t root) {
        isRoot[root] = true;
        depth[root] = 0;
        std::size_t head = order.size();
        order.push_back(root);
        while (head < order.size()) {
            const std::size_t s = order[head++];
            for (std::size_t c : children[s]) {
                if (depth[c] >= 0)
                    continue;
                if (depth[s] + 1 > kMaxDepth) {
                    isRoot[c] = true;
                    depth[c] = 0;
                } else {
                    depth[c] = depth[s] + 1;
                }
                order.push_back(c);
            }
        }
    };
    for (std::size_t s = 0; s < n; ++s)
        if (!hasParent[s])
            visitFrom(s);
    for (std::size_t s = 0; s < n; ++s)
        if (depth[s] < 0)
            visitFrom(s);
    std::vector<QJsonObject> built(n);
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const std::size_t s = *it;
        QJsonObject o = render(rows[spans[s]]);
        QJsonArray kids;
        for (std::size_t c : children[s])
            if (!isRoot[c])
                kids.append(built[c]);
        o.insert(QStringLiteral("children"), kids);
        o.insert(QStringLiteral("logs"), spanLogs[s]);
        built[s] = std::move(o);
    }
    QJsonArray roots;
    for (std::size_t s : order)
        if (isRoot[s])
            roots.append(built[s]);
    return QJsonObject{{QStringLiteral("spans"), roots},
                       {QStringLiteral("logs"), topLogs},
                       {QStringLiteral("span_count"), qint64(n)},
                       {QStringLiteral("log_count"), qint64(rows.size() - n)}};
}

} // namespace fg
