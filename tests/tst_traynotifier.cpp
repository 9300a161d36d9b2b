#include <QAction>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <mutex>
#include <thread>

#include "mainwindow.h"
#include "notificationcoalescer.h"
#include "traynotifier.h"

using namespace fg;

// Stands in for the desktop's notification server on the session bus and records what it is shown.
class FakeNotifications : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    QStringList summaries() const
    {
        std::lock_guard lock(m_mutex);
        return m_summaries;
    }
    QStringList bodies() const
    {
        std::lock_guard lock(m_mutex);
        return m_bodies;
    }

public slots:
    uint Notify(const QString &, uint, const QString &, const QString &summary, const QString &body, const QStringList &,
                const QVariantMap &, int)
    {
        std::lock_guard lock(m_mutex);
        m_summaries << summary;
        m_bodies << body;
        return uint(m_summaries.size());
    }

private:
    mutable std::mutex m_mutex;
    QStringList m_summaries, m_bodies;
};

namespace {
OutgoingNotification firing(qint64 alertId, qint64 incidentId, const char *service)
{
    OutgoingNotification n;
    Alert a;
    a.id = alertId;
    a.incidentId = incidentId;
    a.service = service;
    a.reason = "High error rate";
    a.level = AlertLevel::Critical;
    a.state = Alert::State::Firing;
    n.alerts.push_back(a);
    return n;
}

// As the dispatcher does: from its own thread, waiting for the outcome while the GUI thread runs its loop.
SendResult notifyFromAnotherThread(TrayNotifier &notifier, const OutgoingNotification &n)
{
    SendResult result;
    std::atomic<bool> done{false};
    std::thread t([&] {
        result = notifier.notify(n);
        done = true;
    });
    QTest::qWaitFor([&] { return done.load(); }, 10000);
    t.join();
    return result;
}
} // namespace

// Desktop notifications: one per incident, a storm as one "N more" summary, clicks opening the incident,
// and muting for an hour with the state visible in the window.
class TstTrayNotifier : public QObject {
    Q_OBJECT

private slots:
    void coalescerHoldsStormsAndRepeats()
    {
        NotificationCoalescer c(20'000);
        QVERIFY(c.admit(1, QStringLiteral("a"), 0));         // the first pops
        QVERIFY(!c.admit(2, QStringLiteral("b"), 1'000));    // another within the quiet spell waits
        QVERIFY(!c.admit(3, QStringLiteral("c"), 2'000));
        QVERIFY(!c.admit(3, QStringLiteral("c"), 3'000));    // the same incident again
        QCOMPARE(c.summaryDueMs(), qint64(20'000));
        const auto s = c.takeSummary(20'000);
        QCOMPARE(s.count, 3);
        QCOMPARE(s.services, (QStringList{QStringLiteral("b"), QStringLiteral("c")}));
        QCOMPARE(s.incidents, (QList<qint64>{2, 3}));
        QCOMPARE(c.summaryDueMs(), qint64(0));
        QVERIFY(!c.admit(1, QStringLiteral("a"), 45'000));   // incident 1 paged 45 s ago: no second bubble
        c.takeSummary(45'000);
        QVERIFY(c.admit(4, QStringLiteral("d"), 70'000));    // quiet again, a new incident pops
        QVERIFY(c.admit(1, QStringLiteral("a"), 45'000 + NotificationCoalescer::kRepeatMs + 30'000)); // long after
    }

    void stormIsOneSummaryAndClicksOpenTheIncident()
    {
        QDBusConnection bus = QDBusConnection::sessionBus();
        if (!bus.isConnected()) {
            if (qEnvironmentVariableIntValue("FLOWGUARD_TEST_SESSION"))
                QFAIL("FLOWGUARD_TEST_SESSION is set but there is no session D-Bus");
            QSKIP("no session D-Bus (run through tools/run-tests.sh)");
        }
        if (bus.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.Notifications")).value())
            QSKIP("a notification server already runs on this bus");
        QThread serverThread;
        auto *server = new FakeNotifications;
        server->moveToThread(&serverThread);
        serverThread.start();
        QVERIFY(bus.registerObject(QStringLiteral("/org/freedesktop/Notifications"), server, QDBusConnection::ExportAllSlots));
        QVERIFY(bus.registerService(QStringLiteral("org.freedesktop.Notifications")));

        TrayNotifier notifier(nullptr, 1500);
        QVERIFY(!notifier.trayIcon()); // offscreen: the D-Bus path
        QSignalSpy incident(&notifier, &TrayNotifier::openIncident);
        QVERIFY(notifyFromAnotherThread(notifier, firing(10, 1, "checkout")).ok);
        for (int i = 0; i < 5; ++i) // a storm: five more incidents at once
            QVERIFY(notifyFromAnotherThread(notifier, firing(11 + i, 2 + i, i % 2 ? "auth" : "search")).ok);
        QTRY_COMPARE(server->summaries().size(), 1);
        QVERIFY(server->summaries().first().contains(QStringLiteral("checkout")));
        QCOMPARE(notifier.heldCount(), 5);
        // One summary after the quiet spell, naming the services.
        QTRY_COMPARE_WITH_TIMEOUT(server->summaries().size(), 2, 5000);
        QCOMPARE(server->summaries().at(1), QStringLiteral("FlowGuard: 5 more alert(s)"));
        QVERIFY(server->bodies().at(1).contains(QStringLiteral("search, auth")));
        QTest::qWait(300);
        QCOMPARE(server->summaries().size(), 2);

        // The first bubble's action opens its incident; the summary's the incidents list.
        QDBusMessage clicked = QDBusMessage::createSignal(QStringLiteral("/org/freedesktop/Notifications"),
                                                          QStringLiteral("org.freedesktop.Notifications"),
                                                          QStringLiteral("ActionInvoked"));
        clicked << uint(1) << QStringLiteral("default");
        QVERIFY(bus.send(clicked));
        QTRY_COMPARE(incident.size(), 1);
        QCOMPARE(incident.first().first().toLongLong(), qint64(1));
        QDBusMessage summaryClicked = QDBusMessage::createSignal(QStringLiteral("/org/freedesktop/Notifications"),
                                                                 QStringLiteral("org.freedesktop.Notifications"),
                                                                 QStringLiteral("ActionInvoked"));
        summaryClicked << uint(2) << QStringLiteral("default");
        QVERIFY(bus.send(summaryClicked));
        QTRY_COMPARE(incident.size(), 2);
        QCOMPARE(incident.last().first().toLongLong(), qint64(0));

        // Muted: nothing pops, the delivery still counts as done.
        notifier.muteUntil(QDateTime::currentDateTimeUtc().addSecs(3600));
        QTest::qWait(1600); // past the quiet spell
        QVERIFY(notifyFromAnotherThread(notifier, firing(30, 20, "ledger")).ok);
        QTest::qWait(300);
        QCOMPARE(server->summaries().size(), 2);
        notifier.muteUntil({});
        QVERIFY(notifyFromAnotherThread(notifier, firing(31, 21, "ledger")).ok);
        QTRY_COMPARE(server->summaries().size(), 3);

        bus.unregisterService(QStringLiteral("org.freedesktop.Notifications"));
        bus.unregisterObject(QStringLiteral("/org/freedesktop/Notifications"));
        serverThread.quit();
        serverThread.wait();
        delete server;
    }

    void muteForAnHourFromTheWindow()
    {
        TrayNotifier notifier;
        MainWindow w;
        w.setNotifier(&notifier);
        w.show();
        QAction *mute = w.muteAction();
        QVERIFY(mute->isEnabled());
        auto *label = w.findChild<QLabel *>(QStringLiteral("mutedState"));
        QVERIFY(label && !label->isVisible());
        mute->trigger();
        QVERIFY(notifier.muted());
        const qint64 left = QDateTime::currentDateTimeUtc().secsTo(notifier.mutedUntil());
        QVERIFY2(left > 3590 && left <= 3600, qPrintable(QString::number(left)));
        QVERIFY(mute->isChecked());
        QVERIFY(label->isVisible());
        QVERIFY2(label->text().startsWith(QStringLiteral("Notifications muted until")), qPrintable(label->text()));
        QVERIFY(mute->text().contains(QStringLiteral("unmute")));
        mute->trigger();
        QVERIFY(!notifier.muted());
        QVERIFY(!label->isVisible());
        // Expiry unmutes by itself.
        notifier.muteUntil(QDateTime::currentDateTimeUtc().addMSecs(300));
        QVERIFY(mute->isChecked());
        QTRY_VERIFY(!notifier.muted());
        QVERIFY(!mute->isChecked());
    }
};

QTEST_MAIN(TstTrayNotifier)
#include "tst_traynotifier.moc"
