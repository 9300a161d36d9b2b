#include <QLabel>
#include <QTest>

#include "mainwindow.h"

using namespace fg;

// The window shell shows what the engine publishes; runs offscreen.
class TstMainWindow : public QObject {
    Q_OBJECT

private slots:
    void showsEngineStats()
    {
        MainWindow w;
        EngineStats s;
        s.listenAddress = QStringLiteral("127.0.0.1:4318");
        s.logsStored = 1234;
        s.metricsStored = 56;
        s.requests = 7;
        s.itemsPerSecond = 250;
        w.showStats(s);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QStringList texts;
        for (const QLabel *l : w.findChildren<QLabel *>())
            texts << l->text();
        QVERIFY2(texts.contains(QStringLiteral("http://127.0.0.1:4318")), qPrintable(texts.join(QLatin1Char('|'))));
        QVERIFY(texts.contains(QLocale().toString(qint64(1234))));
        QVERIFY(texts.contains(QStringLiteral("56")));
        QVERIFY(!w.grab().isNull());
    }
};

QTEST_MAIN(TstMainWindow)
#include "tst_mainwindow.moc"
