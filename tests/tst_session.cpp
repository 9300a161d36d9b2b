#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QTest>
#include <QThread>
#include <QVariantMap>

#include <mutex>

#include "alerting/delivery/desktopnotification.h"
#include "alerting/secretstore.h"

using namespace fg;

// Stands in for the desktop's notification server on the session bus and records what it is shown.
class RecordingNotifications : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    struct Shown {
        QString app, summary, body;
        QStringList actions;
    };
    std::vector<Shown> shown() const
    {
        std::lock_guard lock(m_mutex);
        return m_shown;
    }

public slots:
    uint Notify(const QString &app, uint, const QString &, const QString &summary, const QString &body,
                const QStringList &actions, const QVariantMap &, int)
    {
        std::lock_guard lock(m_mutex);
        m_shown.push_back({app, summary, body, actions});
        return uint(m_shown.size());
    }

private:
    mutable std::mutex m_mutex;
    std::vector<Shown> m_shown;
};

// What needs the session: desktop notifications over a real session D-Bus and the keychain in a real,
// unlocked gnome-keyring. tools/run-tests.sh provides both (FLOWGUARD_TEST_SESSION=1); without them the
// tests say so and skip.
class TstSession : public QObject {
    Q_OBJECT

    bool haveSession()
    {
        if (QDBusConnection::sessionBus().isConnected())
            return true;
        if (qEnvironmentVariableIntValue("FLOWGUARD_TEST_SESSION"))
            qFatal("FLOWGUARD_TEST_SESSION is set but there is no session D-Bus");
        return false;
    }

private slots:
    void desktopNotificationsReachTheNotificationServer()
    {
        if (!haveSession())
            QSKIP("no session D-Bus (run through tools/run-tests.sh)");
        QThread serverThread;
        auto *server = new RecordingNotifications;
        server->moveToThread(&serverThread);
        serverThread.start();
        QDBusConnection bus = QDBusConnection::sessionBus();
        const bool hadOne = bus.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.Notifications")).value();
        if (!hadOne) {
            QVERIFY(bus.registerObject(QStringLiteral("/org/freedesktop/Notifications"), server, QDBusConnection::ExportAllSlots));
            QVERIFY(bus.registerService(QStringLiteral("org.freedesktop.Notifications")));
        }
        QVERIFY(desktopNotificationsAvailable());
        if (!hadOne) {
            uint id = 0;
            const SendResult r = sendDesktopNotification("[FIRING] checkout: High error rate", "error rate 7.2 %", &id);
            QVERIFY2(r.ok, r.error.c_str());
            QCOMPARE(id, 1u); // what the server answered: a click comes back as ActionInvoked(1, …)
            const auto shown = server->shown();
            QCOMPARE(shown.size(), std::size_t(1));
            QCOMPARE(shown.front().app, QStringLiteral("FlowGuard"));
            QCOMPARE(shown.front().summary, QStringLiteral("[FIRING] checkout: High error rate"));
            QCOMPARE(shown.front().body, QStringLiteral("error rate 7.2 %"));
            QVERIFY(shown.front().actions.contains(QStringLiteral("default")));
            bus.unregisterService(QStringLiteral("org.freedesktop.Notifications"));
            bus.unregisterObject(QStringLiteral("/org/freedesktop/Notifications"));
            // No notification server: a clear error, not retried.
            const SendResult none = sendDesktopNotification("t", "b");
            QVERIFY(!none.ok);
            QVERIFY(!none.retryable);
        }
        serverThread.quit();
        serverThread.wait();
        delete server;
    }

    void secretsRoundTripThroughTheKeychain()
    {
        if (!haveSession())
            QSKIP("no session D-Bus (run through tools/run-tests.sh)");
        auto store = makeKeychainSecretStore(QStringLiteral("/tmp/tst_session.db"));
        QString why;
        QVERIFY2(store->available(&why), qPrintable(why));
        QString error;
        QVERIFY2(store->write("channel-1", "https://hooks.example/T/B/secret", &error), qPrintable(error));
        QCOMPARE(store->read("channel-1", &error).value_or(""), std::string("https://hooks.example/T/B/secret"));
        // Another database's secrets are apart.
        auto other = makeKeychainSecretStore(QStringLiteral("/tmp/other.db"));
        QVERIFY(!other->read("channel-1", &error));
        QVERIFY(error.isEmpty());
        QVERIFY(store->remove("channel-1", &error));
        QVERIFY(!store->read("channel-1", &error));
    }
};

QTEST_GUILESS_MAIN(TstSession)
#include "tst_session.moc"
