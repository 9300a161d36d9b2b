#include <QTest>

#include "model/level.h"

using namespace fg;

class TstLevels : public QObject {
    Q_OBJECT

private slots:
    void aliases_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("level");
        QTest::addColumn<bool>("exact");
        QTest::newRow("ERROR") << "ERROR" << int(Level::Error) << true;
        QTest::newRow("error") << "error" << int(Level::Error) << true;
        QTest::newRow("Err") << "Err" << int(Level::Error) << true;
        QTest::newRow("warn") << "warn" << int(Level::Warn) << true;
        QTest::newRow("WARNING") << "WARNING" << int(Level::Warn) << true;
        QTest::newRow("crit") << "crit" << int(Level::Fatal) << true;
        QTest::newRow("critical") << "Critical" << int(Level::Fatal) << true;
        QTest::newRow("fatal") << "FATAL" << int(Level::Fatal) << true;
        QTest::newRow("emerg") << "emerg" << int(Level::Fatal) << true;
        QTest::newRow("notice") << "notice" << int(Level::Info) << true;
        QTest::newRow("information") << "Information" << int(Level::Info) << true;
        QTest::newRow("debug") << "debug" << int(Level::Debug) << true;
        QTest::newRow("trace") << "TRACE" << int(Level::Trace) << true;
        QTest::newRow("severe") << "SEVERE" << int(Level::Error) << true;
        QTest::newRow("padded") << "  info " << int(Level::Info) << true;
        QTest::newRow("nearest WARNING2") << "WARNING2" << int(Level::Warn) << false;
        QTest::newRow("nearest errors") << "Errors" << int(Level::Error) << false;
        QTest::newRow("nearest criticality") << "criticality" << int(Level::Fatal) << false;
        QTest::newRow("unknown") << "purple" << int(Level::Unknown) << false;
        QTest::newRow("empty") << "" << int(Level::Unknown) << false;
    }
    void aliases()
    {
        QFETCH(QString, text);
        QFETCH(int, level);
        QFETCH(bool, exact);
        const ParsedLevel p = parseLevel(text.toStdString());
        QCOMPARE(int(p.level), level);
        QCOMPARE(p.exact, exact);
    }

    void otelSeverityNumbers()
    {
        QCOMPARE(levelFromOtelSeverity(1), Level::Trace);
        QCOMPARE(levelFromOtelSeverity(9), Level::Info);
        QCOMPARE(levelFromOtelSeverity(13), Level::Warn);
        QCOMPARE(levelFromOtelSeverity(17), Level::Error);
        QCOMPARE(levelFromOtelSeverity(24), Level::Fatal);
        QCOMPARE(levelFromOtelSeverity(0), Level::Unknown);
        QCOMPARE(levelFromOtelSeverity(99), Level::Unknown);
    }

    void ordering()
    {
        QVERIFY(Level::Fatal > Level::Error && Level::Error > Level::Warn && Level::Warn > Level::Info);
        QVERIFY(Level::Unknown < Level::Trace);
        QCOMPARE(QString::fromLatin1(levelName(Level::Warn).data()), QStringLiteral("WARN"));
    }
};

QTEST_GUILESS_MAIN(TstLevels)
#include "tst_levels.moc"
