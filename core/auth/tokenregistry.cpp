#include "tokenregistry.h"

#include <QtDebug>

namespace fg {

TokenRegistry::TokenRegistry(const QString &path, std::vector<ApiToken> tokens, TokenFile::Stamp stamp, int pollMs,
                             int flushMs)
    : m_file(path), m_tokens(std::move(tokens)), m_stamp(stamp)
{
    m_pollTimer.setInterval(pollMs);
    QObject::connect(&m_pollTimer, &QTimer::timeout, [this] { reloadIfChanged(); });
    m_pollTimer.start();
    m_flushTimer.setInterval(flushMs);
    QObject::connect(&m_flushTimer, &QTimer::timeout, [this] { flushLastUsed(); });
    m_flushTimer.start();
}

TokenRegistry::~TokenRegistry()
{
    flushLastUsed();
}

void TokenRegistry::reloadIfChanged()
{
    const TokenFile::Stamp now = m_file.stamp();
    if (now == m_stamp)
        return;
    QString error;
    auto tokens = m_file.load(&error);
    if (!tokens) {
        // Keep the last good set; a file written half by hand should not open the door.
        qWarning("flowguard: tokens not reloaded: %s", qPrintable(error));
        m_stamp = now; // said once per change
        return;
    }
    m_tokens = std::move(*tokens);
    m_stamp = now;
}

std::optional<TokenRegistry::Match> TokenRegistry::authenticate(const QByteArray &secret)
{
    if (secret.isEmpty() || secret.size() > kMaxSecretBytes)
        return std::nullopt;
    const QByteArray hash = tokenHash(secret);
    const ApiToken *found = nullptr;
    for (const ApiToken &t : m_tokens)
        if (constantTimeEquals(hash, t.sha256))
            found = &t;
    if (!found)
        return std::nullopt;
    m_lastUsed.insert(found->id, nowNs());
    return Match{found->id, found->name, found->scopes};
}

void TokenRegistry::flushLastUsed()
{
    if (m_lastUsed.isEmpty())
        return;
    QString error;
    // On failure (the CLI holds the lock) the times are kept for the next flush. The poll then reloads
    // the file this wrote, which is cheap, rather than risk skipping a change made just after it.
    if (m_file.recordUse(m_lastUsed, &error))
        m_lastUsed.clear();
}

} // namespace fg
