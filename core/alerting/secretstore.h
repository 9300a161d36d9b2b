#pragma once

#include <QString>

#include <memory>
#include <optional>
#include <string>

namespace fg {

// Where channel secrets (webhook URLs, SMTP credentials) are kept: the OS keychain, or — only when the
// user asks for it — a plain file readable by the user alone. Blocking calls, from any thread.
class SecretStore {
public:
    virtual ~SecretStore() = default;
    // Whether secrets can be stored; *why says what is missing when not.
    virtual bool available(QString *why) = 0;
    virtual bool write(const std::string &key, const std::string &secret, QString *error) = 0;
    // nullopt with *error empty: no such secret.
    virtual std::optional<std::string> read(const std::string &key, QString *error) = 0;
    virtual bool remove(const std::string &key, QString *error) = 0;
    virtual QString description() const = 0; // for /api/config and the start-up line
};

// The Secret Service (GNOME Keyring, KWallet) through QtKeychain. Its jobs need an event loop, so they run
// on a small thread of their own. `scope` keeps the secrets of different databases apart.
std::unique_ptr<SecretStore> makeKeychainSecretStore(const QString &scope);
// A JSON file with mode 0600, for machines without a keychain, on explicit request only.
std::unique_ptr<SecretStore> makePlaintextSecretStore(const QString &path);

} // namespace fg
