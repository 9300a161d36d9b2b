#include <QTest>

#include "config/units.h"
#include "model/timestamp.h"

using namespace fg;

class TstTimestamps : public QObject {
    Q_OBJECT

private slots:
    void iso_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expectedMs");
        const qint64 base = 1704110400000; // 2024-01-01T12:00:00Z
        QTest::newRow("Z") << "2024-01-01T12:00:00Z" << base;
        QTest::newRow("no offset is UTC") << "2024-01-01T12:00:00" << base;
        QTest::newRow("space separator") << "2024-01-01 12:00:00" << base;
        QTest::newRow("millis") << "2024-01-01T12:00:00.123Z" << base + 123;
        QTest::newRow("nanos truncated to ms") << "2024-01-01T12:00:00.123456789Z" << base + 123;
        QTest::newRow("+02:00") << "2024-01-01T14:00:00+02:00" << base;
        QTest::newRow("-0530") << "2024-01-01T06:30:00-0530" << base;
        QTest::newRow("+01") << "2024-01-01T13:00:00+01" << base;
        QTest::newRow("no seconds") << "2024-01-01T12:00Z" << base;
        QTest::newRow("date only") << "2024-01-01" << base - 12 * 3600 * 1000;
        QTest::newRow("leap day") << "2024-02-29T00:00:00Z" << qint64(1709164800000);
        QTest::newRow("epoch") << "1970-01-01T00:00:00Z" << qint64(0);
    }
    void iso()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expectedMs);
        const auto t = parseIsoTime(text.toStdString());
        QVERIFY(t.has_value());
        QCOMPARE(*t / kNsPerMs, expectedMs);
    }

    void isoInvalid_data()
    {
        QTest::addColumn<QString>("text");
        for (const char *s : {"", "yesterday", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T25:00:00Z",
                              "2024-01-01T12:00:00ZZ", "2024-01-01T12:00:00.Z", "1969-12-31T23:59:59Z",
                              "2300-01-01T00:00:00Z", "2024-1-1"})
            QTest::newRow(s) << QString::fromLatin1(s);
    }
    void isoInvalid()
    {
        QFETCH(QString, text);
        QVERIFY(!parseTimeText(text.toStdString()).has_value());
    }

    void epochMagnitude_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expectedNs");
        const qint64 s = 1704110400;
        QTest::newRow("seconds") << "1704110400" << s * kNsPerSec;
        QTest::newRow("fractional seconds") << "1704110400.5" << s * kNsPerSec + 500'000'000;
        QTest::newRow("millis") << "1704110400123" << s * kNsPerSec + 123'000'000;
        QTest::newRow("micros") << "1704110400123456" << s * kNsPerSec + 123'456'000;
        QTest::newRow("nanos") << "1704110400123456789" << s * kNsPerSec + 123'456'789;
    }
    void epochMagnitude()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expectedNs);
        QCOMPARE(parseTimeText(text.toStdString()).value_or(-1), expectedNs);
        // The same magnitude rules apply to JSON numbers.
        if (!text.contains(QLatin1Char('.')))
            QCOMPARE(epochToNs(std::int64_t(text.toLongLong())).value_or(-1), expectedNs);
    }

    void negativeEpochRejected() { QVERIFY(!epochToNs(std::int64_t(-5)).has_value()); }

    void formatIsExactlyMilliseconds()
    {
        QCOMPARE(QString::fromStdString(formatIsoMs(1704110400123456789)), QStringLiteral("2024-01-01T12:00:00.123Z"));
        QCOMPARE(QString::fromStdString(formatIsoMs(0)), QStringLiteral("1970-01-01T00:00:00.000Z"));
        QCOMPARE(QString::fromStdString(formatIsoMs(951782400000 * kNsPerMs)), QStringLiteral("2000-02-29T00:00:00.000Z"));
    }

    void roundTrip()
    {
        for (qint64 ms = 0; ms < 7'000'000'000'000; ms += 123'456'789'013) {
            const auto back = parseIsoTime(formatIsoMs(ms * kNsPerMs));
            QVERIFY(back.has_value());
            QCOMPARE(*back, ms * kNsPerMs);
        }
    }

    void durationsAndSizes()
    {
        QCOMPARE(parseDurationSeconds("7d").value_or(-1), 7 * 86400);
        QCOMPARE(parseDurationSeconds("15m").value_or(-1), 900);
        QCOMPARE(parseDurationSeconds("1h").value_or(-1), 3600);
        QCOMPARE(parseDurationSeconds("off").value_or(-1), 0);
        QVERIFY(!parseDurationSeconds("7x").has_value());
        QVERIFY(!parseDurationSeconds("-1h").has_value());
        QCOMPARE(parseByteSize("16MiB").value_or(-1), 16 * 1024 * 1024);
        QCOMPARE(parseByteSize("10GB").value_or(-1), 10LL * 1024 * 1024 * 1024);
        QCOMPARE(parseByteSize("512").value_or(-1), 512);
        QVERIFY(!parseByteSize("lots").has_value());
    }
};

QTEST_GUILESS_MAIN(TstTimestamps)
#include "tst_timestamps.moc"
