#pragma once

#include <QElapsedTimer>

#include <optional>

#include "auth/apitoken.h"
#include "auth/authmode.h"
#include "auth/ratelimiter.h"
#include "ingest/httpmessage.h"

namespace fg {

class TokenRegistry;

// Who may make a request, and how often: charges the client address's rate bucket, then (when the mode
// needs tokens) checks the token presented as `Authorization: Bearer`, `Authorization: Basic` (the token
// as password, what Loki/Grafana-style clients send) or `X-API-Key` against the scope the route needs,
// then charges the token's bucket. Requests from the window in process pass untouched. Listener thread.
class RequestAuthorizer final {
public:
    struct Options {
        AuthMode mode = AuthMode::Open;
        double ratePerSecond = 0; // per client address and per token; 0: no limit
        int burst = 1;
        bool limitLoopback = false; // loopback clients (local benches, agents) are not limited by default
        int maxBuckets = 10'000;
    };
    RequestAuthorizer(const Options &options, TokenRegistry *tokens);

    // nullopt to go on (with rate-limit headers in head.responseHeaders), else the refusal: 401, 403 or 429.
    // `needed` is the scope of the request's route (its entry in the route table); nullopt for the probes
    // anyone may call (/api/health, /api/ready).
    std::optional<HttpResponse> admit(HttpRequest &head, std::optional<TokenScope> needed);
    // The secret from whichever header carries it; empty when none does.
    static QByteArray presentedSecret(const HttpRequest &head);

private:
    std::optional<HttpResponse> charge(const QByteArray &key, HttpRequest &head);

    Options m_options;
    TokenRegistry *m_tokens;
    RateLimiter m_limiter;
    QElapsedTimer m_clock;
    int m_tightestRemaining = -1; // of the request being admitted; -1 before its first bucket
};

} // namespace fg
