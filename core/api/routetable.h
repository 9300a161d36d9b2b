#pragma once

#include <QByteArray>

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "auth/apitoken.h"
#include "ingest/httpresponder.h"

namespace fg {

class IngestRoute;

// The path segments a pattern's {named} parts matched, as sent (still percent-encoded).
class RouteParams {
public:
    QByteArray raw(const char *name) const;
    QByteArray decoded(const char *name) const { return QByteArray::fromPercentEncoding(raw(name)); }
    // A {name:id} or {name:signed_id} segment as a number (the pattern already checked it is one).
    std::int64_t id(const char *name) const { return raw(name).toLongLong(); }

private:
    friend class RouteTable;
    std::vector<std::pair<QByteArray, QByteArray>> m_values;
};

using RouteHandler = std::function<void(HttpRequest &request, const RouteParams &params, const HttpResponder &responder)>;

// One HTTP route: a method on a path pattern, what it needs to be admitted, and who answers it.
// Patterns are literal segments and {name} segments; a typed segment matches only what its type takes:
// {name:id} a positive integer, {name:signed_id} a non-zero one, {name:index} a segment not starting
// with '_' (Elasticsearch index names). An untyped {name} takes any segment.
struct Route {
    const char *method;
    const char *pattern;
    std::optional<TokenScope> scope; // the token scope it needs; nullopt: anyone (the probes)
    RouteHandler handler;
    const char *label = nullptr;   // its name in self-metrics and the ingest inspector; the pattern when null
    IngestRoute *ingest = nullptr; // an ingest endpoint: its checkHead holds the media types and size limits
    bool upgrade = false;          // a WebSocket endpoint: only an upgrade is served (takeUpgrade)

    const char *name() const { return label ? label : pattern; }
};

// Every route of the API in one list, looked up by path and method. The first pattern that matches the
// path owns it (registration order decides between patterns that overlap); the routes registered with
// that same pattern give the methods the path takes.
class RouteTable final {
public:
    struct Match {
        const Route *route = nullptr;
        RouteParams params;
        QByteArray allowed; // no route for the method: the methods the path takes ("GET, POST"), for 405
    };

    void add(Route route);
    // Trailing slashes are ignored ("/api/logs/" is "/api/logs").
    Match match(const QByteArray &path, const QByteArray &method) const;
    std::vector<const Route *> routes() const;

private:
    enum class Kind { Literal, Any, Id, SignedId, Index };
    struct Segment {
        Kind kind;
        QByteArray text; // the literal, or the parameter's name
    };
    struct Entry {
        Route route;
        std::vector<Segment> segments;
        std::size_t group; // index of the first entry with the same pattern
    };
    static bool matches(const Entry &entry, const QList<QByteArray> &segments, RouteParams *params);

    std::vector<Entry> m_entries;
};

} // namespace fg
