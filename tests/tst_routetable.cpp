// The route table on its own: patterns with {named} and typed segments, the first matching pattern
// owning a path, 404 (no route) against 405 (the methods the path takes), and no route shadowed.

#include <QTest>

#include "api/apirouter.h"
#include "api/routetable.h"
#include "config/engineconfig.h"

#include <set>

using namespace fg;

namespace {

// The pattern with every {named} segment replaced by "1", which every segment type takes.
QByteArray example(const char *pattern)
{
    QByteArray out;
    for (const QByteArray &part : QByteArray(pattern).mid(1).split('/'))
        out += '/' + (part.startsWith('{') ? QByteArray("1") : part);
    return out;
}

RouteTable table()
{
    RouteTable t;
    auto add = [&t](const char *method, const char *pattern, const char *label = nullptr) {
        t.add(Route{method, pattern, TokenScope::Read, [](HttpRequest &, const RouteParams &, const HttpResponder &) {}, label});
    };
    add("POST", "/_bulk");
    add("PUT", "/_bulk");
    add("POST", "/{index:index}/_bulk", "/_bulk");
    add("POST", "/events");
    add("POST", "/events/batch");
    add("GET", "/events/aggregations");
    add("GET", "/events/{id}");
    add("GET", "/events");
    add("GET", "/api/health/services/{name}");
    add("PUT", "/api/rules/{id:id}");
    add("DELETE", "/api/rules/{id:id}");
    add("PUT", "/api/channels/{id:signed_id}");
    add("POST", "/api/logs/stream/{service}/single");
    add("GET", "/");
    return t;
}

} // namespace

class TstRouteTable : public QObject {
    Q_OBJECT

private slots:
    void namedSegmentsAreMatchedAsSent()
    {
        const RouteTable t = table();
        RouteTable::Match m = t.match("/api/health/services/checkout%2Fv2", "GET");
        QVERIFY(m.route);
        QCOMPARE(m.route->pattern, "/api/health/services/{name}");
        QCOMPARE(m.params.raw("name"), QByteArray("checkout%2Fv2"));
        QCOMPARE(m.params.decoded("name"), QByteArray("checkout/v2"));
        QCOMPARE(m.params.raw("absent"), QByteArray());
        // A named segment is one segment, and trailing slashes are ignored.
        QVERIFY(!t.match("/api/health/services/a/b", "GET").route);
        QCOMPARE(t.match("/api/health/services/a//", "GET").params.raw("name"), QByteArray("a"));
        QVERIFY(t.match("/events/", "GET").route);
        QCOMPARE(t.match("/", "GET").route->pattern, "/");
        // Untyped segments take an empty one in the middle of a path, as the hand-written matchers did.
        m = t.match("/api/logs/stream//single", "POST");
        QVERIFY(m.route);
        QCOMPARE(m.params.raw("service"), QByteArray());
    }

    void typedSegmentsTakeOnlyTheirValues()
    {
        const RouteTable t = table();
        QCOMPARE(t.match("/api/rules/42", "PUT").params.id("id"), std::int64_t(42));
        for (const char *path : {"/api/rules/0", "/api/rules/-3", "/api/rules/x", "/api/rules/"})
            QVERIFY2(!t.match(path, "PUT").route && t.match(path, "PUT").allowed.isEmpty(), path);
        QCOMPARE(t.match("/api/channels/-3", "PUT").params.id("id"), std::int64_t(-3)); // environment channels
        QVERIFY(t.match("/api/channels/0", "PUT").allowed.isEmpty());
        QCOMPARE(t.match("/logs-2026/_bulk", "POST").params.raw("index"), QByteArray("logs-2026"));
        QVERIFY(!t.match("/_cat/_bulk", "POST").route);
    }

    void unknownPathsAreNotFoundAndWrongMethodsListWhatIsAllowed()
    {
        const RouteTable t = table();
        RouteTable::Match m = t.match("/nowhere", "GET");
        QVERIFY(!m.route);
        QVERIFY(m.allowed.isEmpty());
        QVERIFY(!t.match("", "GET").route); // not "/"
        QVERIFY(!t.match("*", "OPTIONS").route);
        // The methods of every route with the path's pattern, in the order they were registered.
        m = t.match("/api/rules/7", "GET");
        QVERIFY(!m.route);
        QCOMPARE(m.allowed, QByteArray("PUT, DELETE"));
        QCOMPARE(t.match("/_bulk", "GET").allowed, QByteArray("POST, PUT"));
        QCOMPARE(t.match("/events", "DELETE").allowed, QByteArray("POST, GET"));
        QCOMPARE(t.match("/events/batch", "GET").allowed, QByteArray("POST"));
        // HEAD is a method of its own: a GET route does not answer it.
        QCOMPARE(t.match("/events/aggregations", "HEAD").allowed, QByteArray("GET"));
        m = t.match("/api/rules/7", "DELETE");
        QVERIFY(m.route);
        QVERIFY(m.allowed.isEmpty());
    }

    void theFirstMatchingPatternOwnsThePath()
    {
        const RouteTable t = table();
        QCOMPARE(t.match("/events/aggregations", "GET").route->pattern, "/events/aggregations");
        QCOMPARE(t.match("/events/e-1", "GET").route->pattern, "/events/{id}");
        // An Elasticsearch index named "events": bulk, registered before /events/{id}.
        QCOMPARE(t.match("/events/_bulk", "POST").route->name(), "/_bulk");
        QCOMPARE(t.match("/events/_bulk", "GET").allowed, QByteArray("POST"));
    }

    void noRouteIsShadowed()
    {
        const RouteTable t = table();
        for (const Route *r : t.routes()) {
            const RouteTable::Match m = t.match(example(r->pattern), r->method);
            QVERIFY2(m.route == r, r->pattern);
        }
    }

    // The API's own table (as the listener builds it; no handler runs here).
    void theApiTableShadowsNoRoute()
    {
        const ApiRouter router(EngineConfig{}, QJsonObject{}, ApiRouter::Deps{});
        const RouteTable &t = router.routes();
        std::set<std::pair<QByteArray, QByteArray>> seen;
        for (const Route *r : t.routes()) {
            QVERIFY2(seen.emplace(r->method, r->pattern).second, r->pattern); // registered once
            const RouteTable::Match m = t.match(example(r->pattern), r->method);
            QVERIFY2(m.route == r, r->pattern);
        }
        QCOMPARE(seen.size(), std::size_t(81));
        QCOMPARE(t.match("/events/aggregations", "GET").route->pattern, "/events/aggregations");
        QCOMPARE(t.match("/events/batch", "POST").route->pattern, "/events/batch");
        QCOMPARE(t.match("/events/_bulk", "POST").route->name(), "/_bulk");
        QCOMPARE(t.match("/api/alerts/export.csv", "GET").route->pattern, "/api/alerts/export.csv");
        QCOMPARE(t.match("/api/alerts/histogram", "GET").route->pattern, "/api/alerts/histogram");
        QCOMPARE(t.match("/api/health/services/a%20b", "GET").params.decoded("name"), QByteArray("a b"));
    }
};

QTEST_GUILESS_MAIN(TstRouteTable)
#include "tst_routetable.moc"
