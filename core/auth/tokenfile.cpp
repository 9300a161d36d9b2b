#include "tokenfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>

#include <sys/stat.h>

namespace fg {

namespace {

constexpr int kLockWaitMs = 5000;

QJsonObject toJson(const ApiToken &t)
{
    return QJsonObject{
        {QStringLiteral("id"), t.id},
        {QStringLiteral("name"), t.name},
        {QStringLiteral("prefix"), t.prefix},
        {QStringLiteral("sha256"), QString::fromLatin1(t.sha256.toHex())},
        {QStringLiteral("scopes"), QJsonArray::fromStringList(scopeNames(t.scopes))},
        {QStringLiteral("created_at"), QString::fromStdString(formatIsoMs(t.createdAt))},
        {QStringLiteral("last_used_at"),
         t.lastUsedAt ? QJsonValue(QString::fromStdString(formatIsoMs(t.lastUsedAt))) : QJsonValue()},
    };
}

std::optional<ApiToken> fromJson(const QJsonObject &o, QString *why)
{
    ApiToken t;
    t.id = o.value(QStringLiteral("id")).toInteger();
    t.name = o.value(QStringLiteral("name")).toString();
    t.prefix = o.value(QStringLiteral("prefix")).toString().left(16);
    const QString hex = o.value(QStringLiteral("sha256")).toString();
    t.sha256 = QByteArray::fromHex(hex.toLatin1());
    QStringList scopes;
    for (const QJsonValue &v : o.value(QStringLiteral("scopes")).toArray())
        scopes << v.toString();
    QString bad;
    const auto parsed = parseScopes(scopes.join(QLatin1Char(',')), &bad);
    const auto created = parseIsoTime(o.value(QStringLiteral("created_at")).toString().toStdString());
    const QString used = o.value(QStringLiteral("last_used_at")).toString();
    const auto lastUsed = used.isEmpty() ? std::optional<TimeNs>(0) : parseIsoTime(used.toStdString());
    if (t.id <= 0)
        *why = QStringLiteral("id");
    else if (!TokenFile::checkName(t.name).isEmpty())
        *why = QStringLiteral("name");
    else if (hex.size() != 64 || t.sha256.size() != 32)
        *why = QStringLiteral("sha256");
    else if (!parsed)
        *why = QStringLiteral("scopes");
    else if (!created || !lastUsed)
        *why = QStringLiteral("created_at/last_used_at");
    else {
        t.scopes = *parsed;
        t.createdAt = *created;
        t.lastUsedAt = *lastUsed;
        return t;
    }
    return std::nullopt;
}

} // namespace

QString TokenFile::checkName(const QString &name)
{
    static const QRegularExpression kAllowed(QStringLiteral("^[A-Za-z0-9._-]+$"));
    if (name.isEmpty() || name.size() > kMaxNameChars)
        return QStringLiteral("a token name has 1 to %1 characters").arg(kMaxNameChars);
    if (!kAllowed.match(name).hasMatch())
        return QStringLiteral("a token name has only letters, digits, '.', '_' and '-'");
    bool number = false;
    name.toLongLong(&number);
    if (number)
        return QStringLiteral("a token name is not a number (numbers are token ids)");
    return {};
}

TokenFile::Stamp TokenFile::stamp() const
{
    struct stat st{};
    Stamp s;
    if (::stat(QFile::encodeName(m_path).constData(), &st) != 0)
        return s;
    s.device = quint64(st.st_dev);
    s.inode = quint64(st.st_ino);
    s.size = qint64(st.st_size);
    s.mtimeNs = qint64(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    return s;
}

std::optional<std::vector<ApiToken>> TokenFile::load(QString *error) const
{
    return load(error, nullptr);
}

std::optional<std::vector<ApiToken>> TokenFile::load(QString *error, qint64 *nextId) const
{
    if (nextId)
        *nextId = 1;
    QFile file(m_path);
    if (!file.exists())
        return std::vector<ApiToken>{};
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the tokens file %1: %2").arg(m_path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > kMaxFileBytes) {
        *error = QStringLiteral("the tokens file %1 is larger than %2 bytes").arg(m_path).arg(kMaxFileBytes);
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.read(kMaxFileBytes), &parseError);
    const QJsonArray items = doc.object().value(QStringLiteral("tokens")).toArray();
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = QStringLiteral("the tokens file %1 is not valid JSON: %2").arg(m_path, parseError.errorString());
        return std::nullopt;
    }
    if (items.size() > kMaxTokens) {
        *error = QStringLiteral("the tokens file %1 holds more than %2 tokens").arg(m_path).arg(kMaxTokens);
        return std::nullopt;
    }
    std::vector<ApiToken> tokens;
    tokens.reserve(size_t(items.size()));
    for (qsizetype i = 0; i < items.size(); ++i) {
        QString why;
        auto t = fromJson(items[i].toObject(), &why);
        if (!t) {
            *error = QStringLiteral("the tokens file %1: token %2 has an invalid %3").arg(m_path).arg(i).arg(why);
            return std::nullopt;
        }
        tokens.push_back(std::move(*t));
    }
    if (nextId) {
        // Ids are never given twice, so that revoking by an old id cannot hit a newer token.
        *nextId = std::max<qint64>(1, doc.object().value(QStringLiteral("next_id")).toInteger(1));
        for (const ApiToken &t : tokens)
            *nextId = std::max(*nextId, t.id + 1);
    }
    return tokens;
}

bool TokenFile::save(const std::vector<ApiToken> &tokens, qint64 nextId, QString *error)
{
    QJsonArray items;
    for (const ApiToken &t : tokens)
        items.append(toJson(t));
    const QByteArray bytes =
        QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("next_id"), nextId}, {QStringLiteral("tokens"), items}}).toJson();
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        || file.write(bytes) != bytes.size() || !file.commit()) {
        *error = QStringLiteral("cannot write the tokens file %1: %2").arg(m_path, file.errorString());
        return false;
    }
    return true;
}

std::optional<QByteArray> TokenFile::create(const QString &name, TokenScopes scopes, ApiToken *created, QString *error)
{
    if (const QString why = checkName(name); !why.isEmpty()) {
        *error = why;
        return std::nullopt;
    }
    const QString dir = QFileInfo(m_path).absolutePath();
    if (!QDir(dir).exists()) {
        if (!QDir().mkpath(dir)) {
            *error = QStringLiteral("cannot create the directory %1").arg(dir);
            return std::nullopt;
        }
        QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    QLockFile lock(m_path + QStringLiteral(".lock"));
    if (!lock.tryLock(kLockWaitMs)) {
        *error = QStringLiteral("the tokens file %1 is locked by another process").arg(m_path);
        return std::nullopt;
    }
    qint64 nextId = 1;
    auto tokens = load(error, &nextId);
    if (!tokens)
        return std::nullopt;
    if (int(tokens->size()) >= kMaxTokens) {
        *error = QStringLiteral("there are already %1 tokens, the most kept; revoke some first").arg(kMaxTokens);
        return std::nullopt;
    }
    for (const ApiToken &t : *tokens) {
        if (t.name == name) {
            *error = QStringLiteral("a token named '%1' exists already (id %2)").arg(name).arg(t.id);
            return std::nullopt;
        }
    }
    const QByteArray secret = generateTokenSecret();
    ApiToken t;
    t.id = nextId;
    t.name = name;
    t.prefix = tokenPrefix(secret);
    t.sha256 = tokenHash(secret);
    t.scopes = scopes;
    t.createdAt = nowNs();
    tokens->push_back(t);
    if (!save(*tokens, nextId + 1, error))
        return std::nullopt;
    *created = t;
    return secret;
}

bool TokenFile::revoke(const QString &idOrName, ApiToken *revoked, QString *error)
{
    QLockFile lock(m_path + QStringLiteral(".lock"));
    if (!lock.tryLock(kLockWaitMs)) {
        *error = QStringLiteral("the tokens file %1 is locked by another process").arg(m_path);
        return false;
    }
    qint64 nextId = 1;
    auto tokens = load(error, &nextId);
    if (!tokens)
        return false;
    bool isId = false;
    const qint64 id = idOrName.toLongLong(&isId);
    const auto it = std::find_if(tokens->begin(), tokens->end(),
                                 [&](const ApiToken &t) { return isId ? t.id == id : t.name == idOrName; });
    if (it == tokens->end()) {
        *error = QStringLiteral("no token with %1 '%2'").arg(isId ? QStringLiteral("id") : QStringLiteral("name"), idOrName);
        return false;
    }
    *revoked = *it;
    tokens->erase(it);
    return save(*tokens, nextId, error);
}

bool TokenFile::recordUse(const QHash<qint64, TimeNs> &lastUsed, QString *error)
{
    QLockFile lock(m_path + QStringLiteral(".lock"));
    if (!lock.tryLock(0)) {
        *error = QStringLiteral("the tokens file is locked");
        return false;
    }
    qint64 nextId = 1;
    auto tokens = load(error, &nextId);
    if (!tokens)
        return false;
    bool changed = false;
    for (ApiToken &t : *tokens) {
        const TimeNs used = lastUsed.value(t.id, 0);
        if (used > t.lastUsedAt) {
            t.lastUsedAt = used;
            changed = true;
        }
    }
    return !changed || save(*tokens, nextId, error);
}

} // namespace fg
