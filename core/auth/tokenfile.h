#pragma once

#include <QHash>
#include <QString>

#include <optional>
#include <vector>

#include "apitoken.h"

namespace fg {

// The API tokens of one database, kept in a JSON file beside it (<db>.tokens.json, mode 0600, replaced
// atomically). A file rather than a table: `flowguard token …` changes it while a running engine holds
// the database's single-writer lock, without becoming a second SQLite writer, and the engine notices the
// new file by its stamp. Writers (the CLI, the engine recording last use) take turns on <file>.lock.
// Any thread; every call does file I/O.
class TokenFile final {
public:
    static constexpr int kMaxTokens = 1000;
    static constexpr qint64 kMaxFileBytes = 1024 * 1024;
    static constexpr int kMaxNameChars = 64;

    // Identifies one version of the file: atomic replacement gives a new inode.
    struct Stamp {
        quint64 device = 0, inode = 0;
        qint64 size = -1, mtimeNs = 0;
        bool operator==(const Stamp &) const = default;
    };

    explicit TokenFile(QString path) : m_path(std::move(path)) {}
    static QString pathFor(const QString &dbPath) { return dbPath + QStringLiteral(".tokens.json"); }
    const QString &path() const { return m_path; }
    Stamp stamp() const; // size -1 when there is no file

    // A missing file is no tokens; nullopt with *error when it cannot be read or is not valid.
    std::optional<std::vector<ApiToken>> load(QString *error) const;
    // Adds a token and returns its secret (to be shown once), or nullopt with *error.
    std::optional<QByteArray> create(const QString &name, TokenScopes scopes, ApiToken *created, QString *error);
    // Removes the token with this id or name; false with *error when there is none.
    bool revoke(const QString &idOrName, ApiToken *revoked, QString *error);
    // Keeps the newest use time of each token still present. Does not wait for the lock: false when it is
    // busy (the caller tries again later) or the write fails.
    bool recordUse(const QHash<qint64, TimeNs> &lastUsed, QString *error);

    // Empty when the name can be used, else why not.
    static QString checkName(const QString &name);

private:
    std::optional<std::vector<ApiToken>> load(QString *error, qint64 *nextId) const;
    bool save(const std::vector<ApiToken> &tokens, qint64 nextId, QString *error);

    QString m_path;
};

} // namespace fg
