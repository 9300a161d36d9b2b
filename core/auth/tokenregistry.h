#pragma once

#include <QHash>
#include <QTimer>

#include <optional>
#include <vector>

#include "apitoken.h"
#include "tokenfile.h"

namespace fg {

// The running engine's tokens: checks the tokens file's stamp every pollMs and swaps in the new set when
// it changed (a token created or revoked with `flowguard token` takes effect within that time, whether
// or not the engine is running), checks presented secrets against it, and writes last-use times back
// every flushMs and at the end. Lives on the listener thread and is called only there.
class TokenRegistry final {
public:
    struct Match {
        qint64 id;
        QString name;
        TokenScopes scopes;
    };
    static constexpr qsizetype kMaxSecretBytes = 256;

    // `tokens` as loaded while the file had `stamp`.
    TokenRegistry(const QString &path, std::vector<ApiToken> tokens, TokenFile::Stamp stamp, int pollMs = 1000,
                  int flushMs = 60'000);
    ~TokenRegistry();
    TokenRegistry(const TokenRegistry &) = delete;
    TokenRegistry &operator=(const TokenRegistry &) = delete;

    // Compares the secret's hash with every token's in constant time (no early exit).
    std::optional<Match> authenticate(const QByteArray &secret);
    int count() const { return int(m_tokens.size()); }
    void reloadIfChanged();

private:
    void flushLastUsed();

    TokenFile m_file;
    std::vector<ApiToken> m_tokens;
    TokenFile::Stamp m_stamp;
    QHash<qint64, TimeNs> m_lastUsed; // not yet written back
    QTimer m_pollTimer;
    QTimer m_flushTimer;
};

} // namespace fg
