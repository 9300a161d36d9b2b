#include "secretstore.h"

#include <qt6keychain/keychain.h>

#include <QDBusConnection>
#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QThread>

#include <functional>
#include <memory>
#include <mutex>

namespace fg {

namespace {

constexpr auto kService = "FlowGuard";
constexpr int kTimeoutMs = 5000;

// QtKeychain queues its jobs through a process-wide executor that lives on the thread of the first job,
// so every keychain job runs on one thread that lasts as long as the application.
QObject *keychainContext()
{
    static QThread *thread = nullptr;
    static QObject *context = [] {
        thread = new QThread;
        thread->setObjectName(QStringLiteral("fg-keychain"));
        auto *c = new QObject;
        c->moveToThread(thread);
        thread->start();
        qAddPostRoutine([] {
            thread->quit();
            thread->wait();
        });
        return c;
    }();
    return context;
}

class KeychainSecretStore final : public SecretStore {
public:
    explicit KeychainSecretStore(QString scope) : m_scope(std::move(scope)) {}

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
    // Runs one job on the keychain thread and waits for it. A missing entry is not an error. Jobs
    // delete themselves (the executor still refers to them after `finished`), so results are taken in
    // the `finished` handler.
    bool runJob(const std::function<QKeychain::Job *()> &make, const std::string &key, QString *error,
                std::optional<std::string> *readValue)
    {
        struct Outcome {
            bool finished = false;
            bool ok = false;
            QString message;
            std::optional<std::string> value;
        };
        auto outcome = std::make_shared<Outcome>();
        QMetaObject::invokeMethod(
            keychainContext(),
            [&, outcome] {
                QKeychain::Job *job = make();
                job->setInsecureFallback(false);
                job->setKey(m_scope + QLatin1Char('/') + QString::fromStdString(key));
                QEventLoop loop;
                QObject::connect(job, &QKeychain::Job::finished, &loop, [&loop, outcome, readValue](QKeychain::Job *j) {
                    outcome->finished = true;
                    if (j->error() == QKeychain::NoError) {
                        outcome->ok = true;
                        if (auto *r = qobject_cast<QKeychain::ReadPasswordJob *>(j))
                            outcome->value = r->textData().toStdString();
                    } else if (j->error() == QKeychain::EntryNotFound) {
                        outcome->ok = !readValue; // deleting what is not there is fine; reading finds nothing
                    } else {
                        outcome->message = j->errorString();
                    }
                    loop.quit();
                });
                // A keychain that never answers (locked, no prompt possible) must not hang the caller.
                QTimer::singleShot(kTimeoutMs, &loop, &QEventLoop::quit);
                job->start();
                loop.exec();
                if (!outcome->finished) {
                    QObject::disconnect(job, &QKeychain::Job::finished, &loop, nullptr);
                    outcome->message = QStringLiteral("the keychain did not answer within %1 s").arg(kTimeoutMs / 1000);
                }
            },
            Qt::BlockingQueuedConnection);
        if (error)
            *error = outcome->message;
        if (readValue)
            *readValue = outcome->value;
        return outcome->ok;
    }

    QString m_scope;
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
