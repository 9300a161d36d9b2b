// API tokens, scopes and rate limits: the units, a real listener on loopback with tokens required, and
// the real binary for the CLI and the refusal to serve the network without a token.

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "api/apirouter.h"
#include "api/requestauthorizer.h"
#include "config/engineconfig.h"
#include "auth/apitoken.h"
#include "auth/authmode.h"
#include "auth/ratelimiter.h"
#include "auth/tokenfile.h"
#include "engine/engine.h"
#include "testhttpclient.h"

using namespace fg;

namespace {

TestHttpClient::Headers withAuth(const QByteArray &name, const QByteArray &value)
{
    return {{"Content-Type", "application/json"}, {name, value}};
}

TestHttpClient::Headers bearer(const QByteArray &secret)
{
    return withAuth("Authorization", "Bearer " + secret);
}

const QByteArray kLog = "{\"service\":\"auth-test\",\"message\":\"hello\"}";
const QByteArray kNoTagRules = "{\"rules\":[]}";

// The route table as the listener builds it; its handlers are not called here.
std::unique_ptr<ApiRouter> routeTableOnly()
{
    return std::make_unique<ApiRouter>(EngineConfig{}, QJsonObject{}, ApiRouter::Deps{});
}

// A path of the pattern: every {named} segment replaced by "1", which every segment type takes.
QByteArray example(const char *pattern)
{
    QByteArray out;
    for (const QByteArray &part : QByteArray(pattern).mid(1).split('/'))
        out += '/' + (part.startsWith('{') ? QByteArray("1") : part);
    return out;
}

} // namespace

class TstAuth : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    std::unique_ptr<Engine> startEngine(const EngineConfig &c, QString *error = nullptr)
    {
        auto e = std::make_unique<Engine>(c);
        QString err;
        if (!e->start(&err)) {
            if (error)
                *error = err;
            else
                qWarning() << err;
            return nullptr;
        }
        return e;
    }

    EngineConfig config(const QString &name)
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(name);
        c.retentionSeconds = 0;
        return c;
    }

    QByteArray createToken(const QString &db, const QString &name, TokenScopes scopes)
    {
        TokenFile file(TokenFile::pathFor(db));
        ApiToken t;
        QString error;
        const auto secret = file.create(name, scopes, &t, &error);
        if (!secret)
            qWarning() << error;
        return secret.value_or(QByteArray());
    }

    QProcess *flowguard(const QStringList &args)
    {
        auto *p = new QProcess(this);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_dir.path());
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.filePath(QStringLiteral("config")));
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        p->setProcessEnvironment(env);
        p->start(QStringLiteral(FLOWGUARD_BIN), args);
        return p;
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void scopesParseAndAdminImpliesAll()
    {
        QString bad;
        const auto s = parseScopes(QStringLiteral("ingest, READ"), &bad);
        QVERIFY(s);
        QVERIFY(grants(*s, TokenScope::Ingest));
        QVERIFY(grants(*s, TokenScope::Read));
        QVERIFY(!grants(*s, TokenScope::Admin));
        const auto admin = parseScopes(QStringLiteral("admin"), &bad);
        QVERIFY(admin && grants(*admin, TokenScope::Ingest) && grants(*admin, TokenScope::Read));
        QVERIFY(!parseScopes(QStringLiteral("ingest,write"), &bad));
        QCOMPARE(bad, QStringLiteral("write"));
        QVERIFY(!parseScopes(QString(), &bad));
    }

    void secretsAreRandomAndOnlyTheirHashIsKept()
    {
        const QByteArray a = generateTokenSecret(), b = generateTokenSecret();
        QVERIFY(a.startsWith("fg_"));
        QCOMPARE(a.size(), 3 + 43);
        QVERIFY(a != b);
        QCOMPARE(tokenHash(a).size(), 32);
        QVERIFY(constantTimeEquals(tokenHash(a), tokenHash(a)));
        QVERIFY(!constantTimeEquals(tokenHash(a), tokenHash(b)));
        QVERIFY(!constantTimeEquals("abc", "abcd"));

        const QString db = m_dir.filePath(QStringLiteral("file.db"));
        TokenFile file(TokenFile::pathFor(db));
        ApiToken created;
        QString error;
        const auto secret = file.create(QStringLiteral("ci"), TokenScope::Ingest, &created, &error);
        QVERIFY2(secret, qPrintable(error));
        QCOMPARE(created.id, 1);
        QCOMPARE(created.prefix, QString::fromLatin1(secret->left(11)));
        QFile raw(file.path());
        QVERIFY(raw.open(QIODevice::ReadOnly));
        const QByteArray stored = raw.readAll();
        QVERIFY(!stored.contains(*secret));
        QVERIFY(stored.contains(tokenHash(*secret).toHex()));
        QCOMPARE(raw.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup
                                      | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        // Names are unique and not numbers; ids are never given twice.
        QVERIFY(!file.create(QStringLiteral("ci"), TokenScope::Read, &created, &error));
        QVERIFY(error.contains(QStringLiteral("exists")));
        QVERIFY(!file.create(QStringLiteral("42"), TokenScope::Read, &created, &error));
        QVERIFY(!file.create(QStringLiteral("bad name"), TokenScope::Read, &created, &error));
        QVERIFY(file.create(QStringLiteral("second"), TokenScope::Read, &created, &error));
        QCOMPARE(created.id, 2);
        ApiToken revoked;
        QVERIFY(file.revoke(QStringLiteral("2"), &revoked, &error));
        QCOMPARE(revoked.name, QStringLiteral("second"));
        QVERIFY(file.create(QStringLiteral("third"), TokenScope::Read, &created, &error));
        QCOMPARE(created.id, 3);
        QVERIFY(!file.revoke(QStringLiteral("nobody"), &revoked, &error));
        QVERIFY(file.revoke(QStringLiteral("ci"), &revoked, &error));
        const auto left = file.load(&error);
        QVERIFY(left);
        QCOMPARE(int(left->size()), 1);
        QCOMPARE(left->front().name, QStringLiteral("third"));
        // A damaged file is an error, not an empty list.
        raw.close();
        QVERIFY(raw.open(QIODevice::WriteOnly | QIODevice::Truncate));
        raw.write("{\"tokens\":[{\"id\":1}]}");
        raw.close();
        QVERIFY(!file.load(&error));
        QVERIFY(error.contains(QStringLiteral("invalid")));
    }

    void networkListenerNeedsATokenUnlessInsecure()
    {
        const QHostAddress any(QHostAddress::AnyIPv4), lan(QStringLiteral("192.168.1.20")), lo(QHostAddress::LocalHost);
        AuthDecision d = decideAuth(lo, false, false, 0);
        QCOMPARE(d.mode, AuthMode::Open);
        QVERIFY(d.error.isEmpty());
        d = decideAuth(any, false, false, 0);
        QVERIFY(d.error.contains(QStringLiteral("flowguard token create")));
        d = decideAuth(lan, false, false, 0);
        QVERIFY(!d.error.isEmpty());
        d = decideAuth(lan, false, false, 1);
        QCOMPARE(d.mode, AuthMode::Tokens);
        QVERIFY(d.error.isEmpty());
        d = decideAuth(lo, true, false, 0);
        QVERIFY(d.error.contains(QStringLiteral("--require-auth")));
        d = decideAuth(lo, true, false, 2);
        QCOMPARE(d.mode, AuthMode::Tokens);
        d = decideAuth(any, false, true, 0);
        QCOMPARE(d.mode, AuthMode::Disabled);
        QVERIFY(d.warning.contains(QStringLiteral("WARNING")));
        QVERIFY(!decideAuth(lo, true, true, 1).error.isEmpty());
    }

    void rateLimiterRefusesAfterTheBurstAndRefills()
    {
        RateLimiter limiter(2.0, 3, 100);
        for (int i = 0; i < 3; ++i) {
            const auto d = limiter.take("a", 0);
            QVERIFY(d.allowed);
            QCOMPARE(d.remaining, 2 - i);
            QCOMPARE(d.limit, 3);
        }
        auto d = limiter.take("a", 0);
        QVERIFY(!d.allowed);
        QCOMPARE(d.retryAfterSeconds, 1);
        QCOMPARE(d.resetSeconds, 2); // 3 tokens at 2 a second
        QVERIFY(limiter.take("b", 0).allowed); // another key has its own bucket
        QVERIFY(limiter.take("a", 500).allowed); // one token back after 0.5 s
        QVERIFY(!limiter.take("a", 500).allowed);
        QVERIFY(RateLimiter(0, 1, 10).take("x", 0).allowed); // rate 0: off
    }

    void rateLimiterMemoryIsBounded()
    {
        RateLimiter limiter(1.0, 5, 100);
        for (int i = 0; i < 10'000; ++i)
            limiter.take("k" + QByteArray::number(i), i);
        QCOMPARE(limiter.bucketCount(), 100);
        // The least recently charged key goes first: a client that keeps sending keeps its (empty) bucket
        // while other keys come and go.
        RateLimiter busy(1.0, 2, 4);
        busy.take("hot", 0);
        busy.take("hot", 0);
        for (int i = 0; i < 3; ++i)
            busy.take("cold" + QByteArray::number(i), 0);
        QVERIFY(!busy.take("hot", 0).allowed);
        QVERIFY(busy.take("new", 0).allowed); // evicts cold0
        QCOMPARE(busy.bucketCount(), 4);
        QVERIFY(!busy.take("hot", 0).allowed);
    }

    void rateLimitKeysByAddressAndIPv6Prefix()
    {
        RequestAuthorizer::Options options;
        options.ratePerSecond = 0.001; // no refill within the test
        options.burst = 1;
        RequestAuthorizer authorizer(options, nullptr);
        auto from = [&](const QString &address) {
            HttpRequest r;
            r.method = "GET";
            r.path = "/api/services";
            r.peer = QHostAddress(address);
            return authorizer.admit(r, TokenScope::Read).has_value() ? 429 : 200;
        };
        QCOMPARE(from(QStringLiteral("10.0.0.1")), 200);
        QCOMPARE(from(QStringLiteral("10.0.0.1")), 429);
        QCOMPARE(from(QStringLiteral("10.0.0.2")), 200);
        QCOMPARE(from(QStringLiteral("::ffff:10.0.0.2")), 429); // the same client over a dual-stack socket
        QCOMPARE(from(QStringLiteral("2001:db8:1:2::1")), 200);
        QCOMPARE(from(QStringLiteral("2001:db8:1:2::99")), 429); // same /64
        QCOMPARE(from(QStringLiteral("2001:db8:1:3::1")), 200);
        for (int i = 0; i < 3; ++i) { // loopback is exempt by default, mapped or not
            QCOMPARE(from(QStringLiteral("127.0.0.1")), 200);
            QCOMPARE(from(QStringLiteral("::ffff:127.0.0.1")), 200);
            QCOMPARE(from(QStringLiteral("::1")), 200);
        }
    }

    void scopeOfEachRoute()
    {
        using S = std::optional<TokenScope>;
        const auto router = routeTableOnly();
        auto scope = [&router](const QByteArray &path, const QByteArray &method) {
            const RouteTable::Match m = router->routes().match(path, method);
            return m.route ? m.route->scope : S(TokenScope(0)); // 0: no route
        };
        QCOMPARE(scope("/api/health", "GET"), S());
        QCOMPARE(scope("/api/ready/", "GET"), S());
        QCOMPARE(scope("/api/health/services", "GET"), S(TokenScope::Read));
        QCOMPARE(scope("/api/ingest/logs", "POST"), S(TokenScope::Ingest));
        QCOMPARE(scope("/v1/logs", "POST"), S(TokenScope::Ingest));
        QCOMPARE(scope("/loki/api/v1/push", "POST"), S(TokenScope::Ingest));
        QCOMPARE(scope("/api/logs", "GET"), S(TokenScope::Read));
        QCOMPARE(scope("/api/rules", "POST"), S(TokenScope::Admin));
        QCOMPARE(scope("/api/silences/3", "DELETE"), S(TokenScope::Admin));
        QCOMPARE(scope("/api/alerts/7/acknowledge", "POST"), S(TokenScope::Admin));
        QCOMPARE(scope("/api/settings/detection", "PUT"), S(TokenScope::Admin));
    }

    // Over HTTP, for every route of the table: a token without the route's scope gets 403 naming it, a
    // token with just that scope gets past authorization, and routes declaring none need no token.
    void everyRouteRequiresTheScopeItDeclares()
    {
        EngineConfig c = config(QStringLiteral("routescopes.db"));
        c.requireAuth = true;
        std::map<TokenScope, QByteArray> with, without;
        with[TokenScope::Ingest] = createToken(c.dbPath, QStringLiteral("ingest"), TokenScope::Ingest);
        with[TokenScope::Read] = createToken(c.dbPath, QStringLiteral("read"), TokenScope::Read);
        with[TokenScope::Admin] = createToken(c.dbPath, QStringLiteral("admin"), TokenScope::Admin);
        without[TokenScope::Ingest] = with[TokenScope::Read];
        without[TokenScope::Read] = with[TokenScope::Ingest];
        without[TokenScope::Admin] =
            createToken(c.dbPath, QStringLiteral("ingest-read"), TokenScopes(TokenScope::Ingest) | TokenScope::Read);
        auto engine = startEngine(c);
        QVERIFY(engine);
        const auto router = routeTableOnly();
        int checked = 0;
        for (const Route *r : router->routes().routes()) {
            const QByteArray path = example(r->pattern);
            const QByteArray what = QByteArray(r->method) + ' ' + path;
            if (QByteArray(r->method) == "HEAD") { // answered without a body: the GET of the path is checked
                const RouteTable::Match get = router->routes().match(path, "GET");
                QVERIFY2(get.route && get.route->scope == r->scope, what);
                continue;
            }
            TestHttpClient http(engine->port());
            if (!r->scope) {
                const int status = http.request(r->method, path, {}, {}).status;
                QVERIFY2(status != 401 && status != 403, what + " -> " + QByteArray::number(status));
                continue;
            }
            const HttpReply refused = http.request(r->method, path, {}, bearer(without[*r->scope]));
            QVERIFY2(refused.status == 403, what + " -> " + QByteArray::number(refused.status));
            QCOMPARE(refused.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("required_scope")).toString(),
                     QLatin1String(scopeName(*r->scope)));
            TestHttpClient again(engine->port());
            const int status = again.request(r->method, path, {}, bearer(with[*r->scope])).status;
            QVERIFY2(status > 0 && status != 401 && status != 403, what + " -> " + QByteArray::number(status));
            ++checked;
        }
        QVERIFY(checked > 60);
    }

    void credentialsFromEachHeaderForm()
    {
        HttpRequest r;
        r.headers = {{"authorization", "Bearer fg_abc"}};
        QCOMPARE(RequestAuthorizer::presentedSecret(r), QByteArray("fg_abc"));
        r.headers = {{"authorization", "basic " + QByteArray("loki:fg_def").toBase64()}};
        QCOMPARE(RequestAuthorizer::presentedSecret(r), QByteArray("fg_def"));
        r.headers = {{"authorization", "Basic " + QByteArray(":fg_x:y").toBase64()}};
        QCOMPARE(RequestAuthorizer::presentedSecret(r), QByteArray("fg_x:y"));
        r.headers = {{"authorization", "Basic !!!"}};
        QCOMPARE(RequestAuthorizer::presentedSecret(r), QByteArray());
        r.headers = {{"x-api-key", " fg_ghi "}};
        QCOMPARE(RequestAuthorizer::presentedSecret(r), QByteArray("fg_ghi"));
        r.headers = {{"authorization", "Digest x"}};
        QCOMPARE(RequestAuthorizer::presentedSecret(r), QByteArray());
    }

    void scopesAreEnforcedOverHttp()
    {
        EngineConfig c = config(QStringLiteral("scopes.db"));
        c.requireAuth = true;
        const QByteArray ingest = createToken(c.dbPath, QStringLiteral("collector"), TokenScope::Ingest);
        const QByteArray read = createToken(c.dbPath, QStringLiteral("grafana"), TokenScope::Read);
        const QByteArray admin = createToken(c.dbPath, QStringLiteral("ops"), TokenScope::Admin);
        QVERIFY(!ingest.isEmpty() && !read.isEmpty() && !admin.isEmpty());
        auto engine = startEngine(c);
        QVERIFY(engine);
        TestHttpClient http(engine->port());

        // Probes need no token.
        HttpReply r = http.get("/api/health");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("auth")).toString(), QStringLiteral("tokens"));
        QCOMPARE(http.get("/api/ready").status, 200);

        // Missing and unknown tokens: 401 with the challenge and the standard body.
        r = http.post("/api/ingest/logs", kLog);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.header("www-authenticate").left(6), QByteArray("Bearer"));
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("Unauthorized"));
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(),
                 QStringLiteral("Authorization"));
        QCOMPARE(http.request("POST", "/api/ingest/logs", kLog, bearer("fg_not-a-token")).status, 401);
        QCOMPARE(http.request("GET", "/api/logs", {}, bearer(ingest + "x")).status, 401);

        // Valid token, wrong scope: 403 naming the scope.
        r = http.request("POST", "/api/ingest/logs", kLog, bearer(read));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("required_scope")).toString(),
                 QStringLiteral("ingest"));
        QCOMPARE(http.request("GET", "/api/logs", {}, bearer(ingest)).status, 403);
        QCOMPARE(http.request("PUT", "/api/settings/tags", kNoTagRules, bearer(read)).status, 403);
        QCOMPARE(http.request("POST", "/api/rules", "{}", bearer(ingest)).status, 403);

        // The right scope, and admin for everything.
        QCOMPARE(http.request("POST", "/api/ingest/logs", kLog, bearer(ingest)).status, 202);
        QCOMPARE(http.request("GET", "/api/logs?service=auth-test", {}, bearer(read)).status, 200);
        QCOMPARE(http.request("GET", "/api/health/services", {}, bearer(read)).status, 200);
        QCOMPARE(http.request("PUT", "/api/settings/tags", kNoTagRules, bearer(admin)).status, 200);
        QCOMPARE(http.request("POST", "/api/ingest/logs", kLog, bearer(admin)).status, 202);
        QCOMPARE(http.request("GET", "/api/rules", {}, bearer(admin)).status, 200);

        // What Loki/Grafana-style clients send: Basic with the token as password, or X-API-Key.
        QCOMPARE(http.request("POST", "/api/ingest/logs", kLog,
                              withAuth("Authorization", "Basic " + ("tenant:" + ingest).toBase64()))
                     .status,
                 202);
        QCOMPARE(http.request("GET", "/api/services", {}, withAuth("X-API-Key", read)).status, 200);
        QCOMPARE(http.request("GET", "/api/services", {}, withAuth("Authorization", "Basic " + QByteArray("u:wrong").toBase64())).status,
                 401);

        // The window calls the API in process, without a token.
        int status = 0;
        QObject context;
        engine->callApi("GET", "/api/services", {}, &context, [&](const HttpResponse &resp) { status = resp.status; });
        QTRY_COMPARE_WITH_TIMEOUT(status, 200, 5000);
    }

    void createdAndRevokedTokensTakeEffectWhileRunning()
    {
        EngineConfig c = config(QStringLiteral("reload.db"));
        c.requireAuth = true;
        const QByteArray first = createToken(c.dbPath, QStringLiteral("first"), TokenScope::Ingest);
        auto engine = startEngine(c);
        QVERIFY(engine);
        TestHttpClient http(engine->port());
        QCOMPARE(http.request("POST", "/api/ingest/logs", kLog, bearer(first)).status, 202);

        // A token made while the engine runs (as `flowguard token create` does) is accepted within the
        // reload interval (1 s), and a revoked one refused.
        const QByteArray second = createToken(c.dbPath, QStringLiteral("second"), TokenScope::Ingest);
        QElapsedTimer t;
        t.start();
        QTRY_COMPARE_WITH_TIMEOUT(http.request("POST", "/api/ingest/logs", kLog, bearer(second)).status, 202, 3000);
        TokenFile file(TokenFile::pathFor(c.dbPath));
        ApiToken revoked;
        QString error;
        QVERIFY(file.revoke(QStringLiteral("first"), &revoked, &error));
        t.restart();
        QTRY_COMPARE_WITH_TIMEOUT(http.request("POST", "/api/ingest/logs", kLog, bearer(first)).status, 401, 3000);
        QVERIFY(t.elapsed() < 3000);
        QCOMPARE(http.request("POST", "/api/ingest/logs", kLog, bearer(second)).status, 202);

        // Last use is written back when the engine stops.
        engine.reset();
        const auto tokens = file.load(&error);
        QVERIFY(tokens);
        QCOMPARE(int(tokens->size()), 1);
        QVERIFY(tokens->front().lastUsedAt > 0);
    }

    void rateLimitAnswers429AfterTheBurst()
    {
        EngineConfig c = config(QStringLiteral("rate.db"));
        c.rateLimitPerSecond = 1;
        c.rateLimitBurst = 3;
        c.rateLimitLoopback = true;
        auto engine = startEngine(c);
        QVERIFY(engine);
        TestHttpClient http(engine->port());
        for (int i = 0; i < 3; ++i) {
            const HttpReply r = http.get("/api/services");
            QCOMPARE(r.status, 200);
            QCOMPARE(r.header("x-ratelimit-limit"), QByteArray("3"));
            QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray::number(2 - i));
            QVERIFY(r.header("x-ratelimit-reset").toInt() >= 1);
        }
        const HttpReply r = http.post("/api/ingest/logs", kLog);
        QCOMPARE(r.status, 429);
        QCOMPARE(r.header("retry-after"), QByteArray("1"));
        QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray("0"));
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("TooManyRequests"));
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("limit")).toString(),
                 QStringLiteral("rate_limit"));
        // Allowed again once a token has refilled.
        QTest::qWait(1100);
        QCOMPARE(http.get("/api/services").status, 200);
    }

    void refusalsCarryTheRateHeaders()
    {
        // A client guessing tokens sees its address's budget in every 401 and 403, not only in successes.
        EngineConfig c = config(QStringLiteral("refusedrate.db"));
        c.requireAuth = true;
        c.rateLimitPerSecond = 1;
        c.rateLimitBurst = 5;
        c.rateLimitLoopback = true;
        const QByteArray read = createToken(c.dbPath, QStringLiteral("viewer"), TokenScope::Read);
        auto engine = startEngine(c);
        QVERIFY(engine);
        TestHttpClient http(engine->port());
        HttpReply r = http.post("/api/ingest/logs", kLog);
        QCOMPARE(r.status, 401);
        QCOMPARE(r.header("x-ratelimit-limit"), QByteArray("5"));
        QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray("4"));
        r = http.request("POST", "/api/ingest/logs", kLog, bearer("fg_not-a-token"));
        QCOMPARE(r.status, 401);
        QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray("3"));
        r = http.request("POST", "/api/ingest/logs", kLog, bearer(read));
        QCOMPARE(r.status, 403);
        QCOMPARE(r.header("x-ratelimit-remaining"), QByteArray("2"));
    }

    void loopbackIsNotRateLimitedByDefault()
    {
        EngineConfig c = config(QStringLiteral("loopback.db"));
        c.rateLimitPerSecond = 1;
        c.rateLimitBurst = 1;
        auto engine = startEngine(c);
        QVERIFY(engine);
        TestHttpClient http(engine->port());
        for (int i = 0; i < 20; ++i) {
            const HttpReply r = http.post("/api/ingest/logs", kLog);
            QCOMPARE(r.status, 202);
            QVERIFY(r.header("x-ratelimit-limit").isEmpty());
        }
        QCOMPARE(http.get("/api/health").json().value(QStringLiteral("auth")).toString(), QStringLiteral("open"));
    }

    void requireAuthWithoutTokensDoesNotStart()
    {
        EngineConfig c = config(QStringLiteral("notokens.db"));
        c.requireAuth = true;
        QString error;
        QVERIFY(!startEngine(c, &error));
        QVERIFY2(error.contains(QStringLiteral("flowguard token create")), qPrintable(error));
    }

    void binaryRefusesANetworkListenerWithoutTokens()
    {
        const QString db = m_dir.filePath(QStringLiteral("cli.db"));
        QProcess *p = flowguard({QStringLiteral("--headless"), QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0"),
                                 QStringLiteral("--db"), db});
        QVERIFY(p->waitForFinished(15000));
        QVERIFY(p->exitCode() != 0);
        const QString err = QString::fromUtf8(p->readAllStandardError());
        QVERIFY2(err.contains(QStringLiteral("flowguard token create")), qPrintable(err));
        QVERIFY(err.contains(QStringLiteral("--insecure-no-auth")));
    }

    void tokenCommandCreatesListsAndRevokes()
    {
        const QString db = m_dir.filePath(QStringLiteral("cmd.db"));
        QProcess *p = flowguard({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("--name"),
                                 QStringLiteral("ci"), QStringLiteral("--scope"), QStringLiteral("ingest,read"),
                                 QStringLiteral("--db"), db});
        QVERIFY(p->waitForFinished(15000));
        QCOMPARE(p->exitCode(), 0);
        const QByteArray secret = p->readAllStandardOutput().trimmed();
        QVERIFY(secret.startsWith("fg_"));

        // The engine accepts it (started after, with tokens required).
        EngineConfig c = config(QStringLiteral("cmd.db"));
        c.requireAuth = true;
        auto engine = startEngine(c);
        QVERIFY(engine);
        TestHttpClient http(engine->port());
        QCOMPARE(http.request("POST", "/api/ingest/logs", kLog, bearer(secret)).status, 202);

        p = flowguard({QStringLiteral("token"), QStringLiteral("list"), QStringLiteral("--db"), db});
        QVERIFY(p->waitForFinished(15000));
        QCOMPARE(p->exitCode(), 0);
        const QByteArray listed = p->readAllStandardOutput();
        QVERIFY(listed.contains("ci"));
        QVERIFY(listed.contains("ingest,read"));
        QVERIFY(listed.contains(secret.left(11)));
        QVERIFY(!listed.contains(secret));

        p = flowguard({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("--name"), QStringLiteral("x"),
                       QStringLiteral("--scope"), QStringLiteral("root"), QStringLiteral("--db"), db});
        QVERIFY(p->waitForFinished(15000));
        QCOMPARE(p->exitCode(), 2);
        QVERIFY(p->readAllStandardError().contains("'root' is not a scope"));

        // Revoked from the command line while the engine runs: refused within the reload interval.
        p = flowguard({QStringLiteral("token"), QStringLiteral("revoke"), QStringLiteral("ci"), QStringLiteral("--db"), db});
        QVERIFY(p->waitForFinished(15000));
        QCOMPARE(p->exitCode(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(http.request("POST", "/api/ingest/logs", kLog, bearer(secret)).status, 401, 3000);
    }
};

QTEST_GUILESS_MAIN(TstAuth)
#include "tst_auth.moc"
