#include "authmode.h"

namespace fg {

AuthDecision decideAuth(const QHostAddress &listen, bool requireAuth, bool insecureNoAuth, int tokenCount)
{
    AuthDecision d;
    if (requireAuth && insecureNoAuth) {
        d.error = QStringLiteral("--require-auth and --insecure-no-auth contradict each other; give one");
        return d;
    }
    const bool network = !listen.isLoopback();
    if (insecureNoAuth) {
        d.mode = network ? AuthMode::Disabled : AuthMode::Open;
        if (network)
            d.warning = QStringLiteral("WARNING: --insecure-no-auth: anyone who can reach %1 may read every log, send "
                                       "data, and change rules, silences and channels, without a token. Create a token "
                                       "with `flowguard token create` and drop --insecure-no-auth.")
                            .arg(listen.toString());
        return d;
    }
    if (!network && !requireAuth)
        return d;
    d.mode = AuthMode::Tokens;
    if (tokenCount == 0)
        d.error = (network ? QStringLiteral("listening on %1 reaches other machines, so requests need a token, and there "
                                            "is none")
                                 .arg(listen.toString())
                           : QStringLiteral("--require-auth is set and there is no token"))
                  + QStringLiteral(": create one with `flowguard token create --name NAME --scope ingest,read` (with the "
                                   "same --db), or start with --insecure-no-auth to serve everyone without a token");
    return d;
}

const char *authModeName(AuthMode mode)
{
    switch (mode) {
    case AuthMode::Open: return "open";
    case AuthMode::Tokens: return "tokens";
    case AuthMode::Disabled: return "disabled";
    }
    return "";
}

} // namespace fg
