#pragma once

#include <QByteArray>
#include <QFlags>
#include <QString>
#include <QStringList>

#include <optional>

#include "model/timestamp.h"

namespace fg {

// What a token may do. Admin implies the others.
enum class TokenScope { Ingest = 1, Read = 2, Admin = 4 };
Q_DECLARE_FLAGS(TokenScopes, TokenScope)

// An API token as kept at rest: never the secret, only its SHA-256 and a short prefix to recognise it.
struct ApiToken {
    qint64 id = 0;
    QString name;
    QString prefix;
    QByteArray sha256; // 32 bytes
    TokenScopes scopes;
    TimeNs createdAt = 0;
    TimeNs lastUsedAt = 0; // 0: never used
};

bool grants(TokenScopes held, TokenScope needed);
const char *scopeName(TokenScope scope);
QStringList scopeNames(TokenScopes scopes);
// "ingest,read" → flags; nullopt with *bad naming the first unknown word (or empty when the list is).
std::optional<TokenScopes> parseScopes(const QString &list, QString *bad);

// "fg_" and 32 bytes from the system's random source, base64url: 46 characters.
QByteArray generateTokenSecret();
QByteArray tokenHash(const QByteArray &secret);
// The visible part kept beside the hash: "fg_" and the first 8 random characters.
QString tokenPrefix(const QByteArray &secret);
// True when equal; the time taken does not depend on where they differ.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace fg

Q_DECLARE_OPERATORS_FOR_FLAGS(fg::TokenScopes)
