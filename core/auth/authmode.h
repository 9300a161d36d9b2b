#pragma once

#include <QHostAddress>
#include <QString>

namespace fg {

// Whether API requests need a token.
enum class AuthMode {
    Open,     // bound to loopback: only this machine reaches the listener
    Tokens,   // a token with the route's scope is required
    Disabled, // reachable from the network and open to all, as --insecure-no-auth asks
};

struct AuthDecision {
    AuthMode mode = AuthMode::Open;
    QString error;   // the engine refuses to start
    QString warning; // said at every start
};

// A listener other machines can reach needs at least one token, unless --insecure-no-auth; on loopback
// tokens are needed only with --require-auth.
AuthDecision decideAuth(const QHostAddress &listen, bool requireAuth, bool insecureNoAuth, int tokenCount);
const char *authModeName(AuthMode mode); // "open", "tokens", "disabled"

} // namespace fg
