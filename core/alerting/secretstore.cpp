#include "secretstore.h"

#include <qt6keychain/keychain.h>

#include <QDBusConnection>
#include <QEventLoop>
#include <QTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QThread>

#include <functional>
#include <mutex>

namespace fg {

namespace {

constexpr auto kService = "FlowGuard";
constexpr int kTimeoutMs = 5000;

class KeychainSecretStore final : public SecretStore {
public:
    explicit KeychainSecretStore(QString scope) : m_scope(std::move(scope))
    {
        m_thread.setObjectName(QStringLiteral("fg-keychain"));
        m_context = new QObject;
        m_context->moveToThread(&m_thread);
        QObject::connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
        m_thread.start();
    }
    ~KeychainSecretStore() override
    {
        m_thread.quit();
        m_thread.wait();
    }

    bool available(QString *why) override
    {
        // The Secret Service lives on the session bus; without one there is nothing to ask.
        if (!QDBusConnection::sessionBus().isConnected()) {
            *why = QStringLiteral("no keychain service is available (no session D-Bus)");
            return false;
        }
        QString error;
        read("flowguard-probe", &error);
        if (error.isEmpty())
            return true;
        *why = QStringLiteral("no keychain service is available (%1)").arg(error);
        return false;
    }

    bool write(const std::string &key, const std::string &secret, QString *error) override
    {
        return runJob(
            [&] {
                auto *job = new QKeychain::WritePasswordJob(QString::fromLatin1(kService));
                job->setTextData(QString::fromStdString(secret));
                return job;
            },
            key, error, nullptr);
    }

    std::optional<std::string> read(const std::string &key, QString *error) override
    {
        std::optional<std::string> value;
        runJob([] { return new QKeychain::ReadPasswordJob(QString::fromLatin1(kService)); }, key, error, &value);
        return value;
    }

    bool remove(const std::string &key, QString *error) override
    {
        return runJob([] { return new QKeychain::DeletePasswordJob(QString::fromLatin1(kService)); }, key, error, nullptr);
    }

    QString description() const override { return QStringLiteral("keychain"); }

private:
    // Runs one job on the keychain thread and waits for it. A missing entry is not an error.
    bool runJob(const std::function<QKeychain::Job *()> &make, const std::string &key, QString *error,
                std::optional<std::string> *readValue)
    {
        std::lock_guard lock(m_mutex); // one job at a time keeps the Secret Service session simple
        bool ok = false;
        QString message;
        QMetaObject::invokeMethod(
            m_context,
            [&] {
                QKeychain::Job *job = make();
                job->setAutoDelete(false);
                job->setInsecureFallback(false);
                job->setKey(m_scope + QLatin1Char('/') + QString::fromStdString(key));
                QEventLoop loop;
                bool finished = false;
                QObject::connect(job, &QKeychain::Job::finished, &loop, [&] {
                    finished = true;
                    loop.quit();
                });
                // A keychain that never answers (locked and no prompt possible) must not hang the caller.
                QTimer::singleShot(kTimeoutMs, &loop, &QEventLoop::quit);
                job->start();
                loop.exec();
                if (!finished) {
                    message = QStringLiteral("the keychain did not answer within %1 s").arg(kTimeoutMs / 1000);
                    job->deleteLater(); // it may still finish; it must not be deleted under its own signal
                    return;
                }
                if (job->error() == QKeychain::NoError) {
                    ok = true;
                    if (readValue)
                        if (auto *r = qobject_cast<QKeychain::ReadPasswordJob *>(job))
                            *readValue = r->textData().toStdString();
                } else if (job->error() == QKeychain::EntryNotFound) {
                    ok = !readValue; // deleting what is not there is fine; reading it finds nothing
                } else {
                    message = job->errorString();
                }
                delete job;
            },
            Qt::BlockingQueuedConnection);
        if (error)
            *error = message;
        return ok;
    }

    QString m_scope;
    QThread m_thread;
    QObject *m_context = nullptr;
    std::mutex m_mutex;
};

class PlaintextSecretStore final : public SecretStore {
public:
    explicit PlaintextSecretStore(QString path) : m_path(std::move(path)) {}

    bool available(QString *) override { return true; }
    bool write(const std::string &key, const std::string &secret, QString *error) override
    {
        std::lock_guard lock(m_mutex);
        QJsonObject all = load();
        all.insert(QString::fromStdString(key), QString::fromStdString(secret));
        return save(all, error);
    }
    std::optional<std::string> read(const std::string &key, QString *error) override
    {
        std::lock_guard lock(m_mutex);
        error->clear();
        const QJsonObject all = load();
        const QJsonValue v = all.value(QString::fromStdString(key));
        return v.isString() ? std::optional<std::string>(v.toString().toStdString()) : std::nullopt;
    }
    bool remove(const std::string &key, QString *error) override
    {
        std::lock_guard lock(m_mutex);
        QJsonObject all = load();
        all.remove(QString::fromStdString(key));
        return save(all, error);
    }
    QString description() const override { return QStringLiteral("plaintext file %1").arg(m_path); }

private:
    QJsonObject load() const
    {
        QFile f(m_path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(f.readAll()).object();
    }
    bool save(const QJsonObject &all, QString *error)
    {
        QSaveFile f(m_path);
        // Owner read/write only, set before any byte is written.
        if (!f.open(QIODevice::WriteOnly) || !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
            *error = f.errorString();
            return false;
        }
        f.write(QJsonDocument(all).toJson());
        if (!f.commit()) {
            *error = f.errorString();
            return false;
        }
        return true;
    }

    QString m_path;
    std::mutex m_mutex;
};

} // namespace

std::unique_ptr<SecretStore> makeKeychainSecretStore(const QString &scope)
{
    return std::make_unique<KeychainSecretStore>(scope);
}

std::unique_ptr<SecretStore> makePlaintextSecretStore(const QString &path)
{
    return std::make_unique<PlaintextSecretStore>(path);
}

} // namespace fg
