#include "apitoken.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace fg {

namespace {
constexpr TokenScope kAllScopes[] = {TokenScope::Ingest, TokenScope::Read, TokenScope::Admin};
constexpr int kSecretBytes = 32;
constexpr int kPrefixChars = 3 + 8;
} // namespace

bool grants(TokenScopes held, TokenScope needed)
{
    return held.testFlag(TokenScope::Admin) || held.testFlag(needed);
}

const char *scopeName(TokenScope scope)
{
    switch (scope) {
    case TokenScope::Ingest: return "ingest";
    case TokenScope::Read: return "read";
    case TokenScope::Admin: return "admin";
    }
    return "";
}

QStringList scopeNames(TokenScopes scopes)
{
    QStringList names;
    for (TokenScope s : kAllScopes)
        if (scopes.testFlag(s))
            names << QLatin1String(scopeName(s));
    return names;
}

std::optional<TokenScopes> parseScopes(const QString &list, QString *bad)
{
    TokenScopes scopes;
    for (const QString &part : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString word = part.trimmed().toLower();
        bool known = false;
        for (TokenScope s : kAllScopes)
            if (word == QLatin1String(scopeName(s))) {
                scopes |= s;
                known = true;
            }
        if (!known) {
            *bad = word;
            return std::nullopt;
        }
    }
    if (!scopes) {
        bad->clear();
        return std::nullopt;
    }
    return scopes;
}

QByteArray generateTokenSecret()
{
    // QRandomGenerator::system() reads the operating system's CSPRNG (getrandom / /dev/urandom).
    QByteArray random(kSecretBytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()), kSecretBytes / sizeof(quint32));
    return "fg_" + random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray tokenHash(const QByteArray &secret)
{
    return QCryptographicHash::hash(secret, QCryptographicHash::Sha256);
}

QString tokenPrefix(const QByteArray &secret)
{
    return QString::fromLatin1(secret.left(kPrefixChars));
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace fg
