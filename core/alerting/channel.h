#pragma once

#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model/sharedsnapshot.h"

namespace fg {

// A notification channel. The secret part — the webhook URL, or the SMTP URL with its credentials — is
// not a field: it lives in the keychain (or in memory for channels from the environment) and the API
// only ever shows a redacted form of it.
struct Channel {
    enum class Type { Slack, Webhook, Email, Desktop };
    std::int64_t id = 0;
    Type type = Type::Webhook;
    std::string name;
    bool enabled = true;
    std::vector<std::string> to; // e-mail recipients
    std::string from;            // e-mail sender
    std::string caFile;          // extra CA bundle for a receiver with its own certificate authority
    bool fromEnvironment = false; // FLOWGUARD_*_URL / flags: in memory only, not editable over the API

    bool needsSecret() const { return type != Type::Desktop; }
    // `redactedTarget`: scheme and host of the secret URL, e.g. "https://hooks.slack.com/…".
    QJsonObject toJson(const std::string &redactedTarget) const;
    // Validates a channel document; the secret ("url") goes to *secret (empty when not given). `base`: the
    // channel being replaced. On error nullopt with the field and why. A new channel needs its URL, except
    // when read back from storage (`stored`), where the URL is in the keychain.
    static std::optional<Channel> fromJson(const QJsonObject &json, const Channel *base, std::string *secret,
                                           QString *field, QString *message, bool stored = false);
    // The stored form (no secret).
    QJsonObject storedJson() const;
};

std::string_view channelTypeName(Channel::Type type);
// The key of a channel's secret in the secret store.
inline std::string channelSecretKey(std::int64_t id) { return "channel-" + std::to_string(id); }
// "https://user:pw@hooks.slack.com/services/T/B/x" → "https://hooks.slack.com/…"; "" → "".
std::string redactUrl(const std::string &url);

// The current channels and their secrets, shared by the API (edits), the alert evaluator (resolves rule
// channel names) and the dispatcher (sends).
class ChannelBook final : public SharedSnapshot<std::vector<Channel>> {
public:
    std::string secret(std::int64_t id) const
    {
        std::lock_guard lock(m_mutex);
        const auto it = m_secrets.find(id);
        return it == m_secrets.end() ? std::string() : it->second;
    }
    void setSecret(std::int64_t id, std::string secret)
    {
        std::lock_guard lock(m_mutex);
        if (secret.empty())
            m_secrets.erase(id);
        else
            m_secrets[id] = std::move(secret);
    }
    // Ids of the enabled channels with these names (all enabled channels when `names` is empty); names
    // that match no channel are returned in *unknown.
    std::vector<std::int64_t> resolve(const std::vector<std::string> &names, std::vector<std::string> *unknown) const;

private:
    mutable std::mutex m_mutex; // guards the secrets
    std::map<std::int64_t, std::string> m_secrets;
};

} // namespace fg
