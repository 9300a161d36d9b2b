#include "requestauthorizer.h"

#include <QJsonArray>

#include <algorithm>

#include "apierror.h"
#include "auth/tokenregistry.h"

namespace fg {

namespace {

HttpResponse unauthorized(const QString &message)
{
    HttpResponse r = apiError(401, message, QJsonObject{{QStringLiteral("field"), QStringLiteral("Authorization")}});
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"flowguard\"");
    return r;
}

HttpHeaders rateHeaders(const RateLimiter::Decision &d)
{
    return {{"X-RateLimit-Limit", QByteArray::number(d.limit)},
            {"X-RateLimit-Remaining", QByteArray::number(d.remaining)},
            {"X-RateLimit-Reset", QByteArray::number(d.resetSeconds)}};
}

// The rate-limit key of a client: its IPv4 address, or its IPv6 /64 (one host usually holds a whole
// /64, so single IPv6 addresses would give it endless fresh buckets).
QByteArray addressKey(const QHostAddress &a)
{
    bool isV4 = false;
    const quint32 v4 = a.toIPv4Address(&isV4);
    if (isV4)
        return "ip:" + QHostAddress(v4).toString().toLatin1();
    Q_IPV6ADDR v6 = a.toIPv6Address();
    std::fill(v6.c + 8, v6.c + 16, quint8(0));
    return "ip:" + QHostAddress(v6).toString().toLatin1() + "/64";
}

} // namespace

RequestAuthorizer::RequestAuthorizer(const Options &options, TokenRegistry *tokens)
    : m_options(options), m_tokens(tokens), m_limiter(options.ratePerSecond, options.burst, options.maxBuckets)
{
    m_clock.start();
}

QByteArray RequestAuthorizer::presentedSecret(const HttpRequest &head)
{
    if (head.hasHeader("x-api-key"))
        return head.header("x-api-key").trimmed();
    const QByteArray auth = head.header("authorization").trimmed();
    const qsizetype space = auth.indexOf(' ');
    if (space <= 0)
        return {};
    const QByteArray scheme = auth.left(space).toLower();
    const QByteArray value = auth.mid(space + 1).trimmed();
    if (scheme == "bearer")
        return value;
    if (scheme == "basic") {
        // base64(user:token): the user is free, the token is the password.
        const auto decoded = QByteArray::fromBase64Encoding(value, QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return {};
        const qsizetype colon = decoded.decoded.indexOf(':');
        return colon < 0 ? QByteArray() : decoded.decoded.mid(colon + 1);
    }
    return {};
}

std::optional<HttpResponse> RequestAuthorizer::charge(const QByteArray &key, HttpRequest &head)
{
    const RateLimiter::Decision d = m_limiter.take(key, m_clock.elapsed());
    // The headers describe the tighter of the request's buckets (its address's, its token's).
    if (d.allowed && m_tightestRemaining >= 0 && d.remaining >= m_tightestRemaining)
        return std::nullopt;
    m_tightestRemaining = d.remaining;
    head.responseHeaders = rateHeaders(d);
    if (d.allowed)
        return std::nullopt;
    HttpResponse r = apiError(429,
                              QStringLiteral("rate limit exceeded: %1 requests a second, bursts of %2; retry in %3 s")
                                  .arg(m_options.ratePerSecond)
                                  .arg(d.limit)
                                  .arg(d.retryAfterSeconds),
                              QJsonObject{{QStringLiteral("limit"), QStringLiteral("rate_limit")},
                                          {QStringLiteral("retry_after_s"), d.retryAfterSeconds}});
    for (auto &[name, value] : r.headers)
        if (name == "Retry-After")
            value = QByteArray::number(d.retryAfterSeconds);
    r.headers.insert(r.headers.end(), head.responseHeaders.begin(), head.responseHeaders.end());
    return r;
}

std::optional<HttpResponse> RequestAuthorizer::admit(HttpRequest &head, std::optional<TokenScope> needed)
{
    if (head.inProcess)
        return std::nullopt;
    const bool limited = m_limiter.enabled() && (m_options.limitLoopback || !head.peer.isLoopback());
    m_tightestRemaining = -1;
    // The address first, so that guessing tokens is limited too.
    if (limited)
        if (auto refused = charge(addressKey(head.peer), head))
            return refused;
    if (m_options.mode != AuthMode::Tokens)
        return std::nullopt;
    if (!needed)
        return std::nullopt;
    // Refusals carry the address's rate headers too: a client guessing tokens sees its budget shrink.
    auto refuse = [&head](HttpResponse r) {
        r.headers.insert(r.headers.end(), head.responseHeaders.begin(), head.responseHeaders.end());
        return r;
    };
    const QByteArray secret = presentedSecret(head);
    if (secret.isEmpty())
        return refuse(unauthorized(QStringLiteral("this endpoint needs a token: send Authorization: Bearer <token> (or Basic "
                                                  "with the token as password, or X-API-Key); create one with `flowguard "
                                                  "token create`")));
    const auto match = m_tokens->authenticate(secret);
    if (!match)
        return refuse(unauthorized(QStringLiteral("the token is not valid (unknown or revoked)")));
    if (!grants(match->scopes, *needed))
        return refuse(apiError(403,
                        QStringLiteral("token '%1' lacks the '%2' scope this endpoint needs")
                            .arg(match->name, QLatin1String(scopeName(*needed))),
                        QJsonObject{{QStringLiteral("field"), QStringLiteral("Authorization")},
                                    {QStringLiteral("required_scope"), QLatin1String(scopeName(*needed))},
                                    {QStringLiteral("token_scopes"), QJsonArray::fromStringList(scopeNames(match->scopes))}}));
    if (limited)
        return charge("token:" + QByteArray::number(match->id), head);
    return std::nullopt;
}

} // namespace fg
