#include <QTest>

#include "analysis/templates/drainminer.h"
#include "analysis/templates/templatetracker.h"

using namespace fg;

class TstTemplates : public QObject {
    Q_OBJECT

private slots:
    void realLookingLogsCollapseIntoTemplates()
    {
        DrainMiner d;
        const char *lines[] = {
            "Connection from 10.0.0.1 closed after 35 ms",
            "Connection from 10.0.0.7 closed after 120 ms",
            "Connection from 192.168.1.20 closed after 9 ms",
            "User alice logged in",
            "User bob logged in",
            "User carol logged in",
            "Payment 8f3a2c declined: insufficient funds",
            "Payment 91bc7e declined: card expired",
            "GET /api/orders/123 200 23ms",
            "GET /api/orders/456 200 19ms",
        };
        std::vector<std::int64_t> ids;
        for (const char *l : lines)
            ids.push_back(d.add(l).id);
        QCOMPARE(ids[0], ids[1]);
        QCOMPARE(ids[1], ids[2]);
        QCOMPARE(ids[3], ids[4]);
        QCOMPARE(ids[4], ids[5]);
        QCOMPARE(ids[6], ids[7]);
        QCOMPARE(ids[8], ids[9]);
        QVERIFY(ids[0] != ids[3] && ids[3] != ids[6] && ids[6] != ids[8]);
        QCOMPARE(d.size(), std::size_t(4));
        QCOMPARE(QString::fromStdString(d.find(ids[0])->text()), QStringLiteral("Connection from <*> closed after <*> ms"));
        QCOMPARE(QString::fromStdString(d.find(ids[3])->text()), QStringLiteral("User <*> logged in"));
        QCOMPARE(QString::fromStdString(d.find(ids[6])->text()), QStringLiteral("Payment <*> declined: <*> <*>"));
    }

    void newErrorPatternsNeedWarmupAndRecurrence()
    {
        constexpr TimeNs t0 = 1'704'110'400LL * kNsPerSec, minute = 60 * kNsPerSec;
        TemplateTracker t;
        auto log = [&](TimeNs at, const std::string &message, Level level = Level::Error) {
            LogRecord r;
            r.service = "svc";
            r.ts = at;
            r.level = level;
            r.message = message;
            t.add(r);
        };
        auto noted = [&](TimeNs from, TimeNs to) {
            int n = 0;
            for (TimeNs m = from; m <= to; m += minute)
                n += int(t.takeNewErrorTemplates("svc", m).size());
            return n;
        };
        // In its first hour every error of a service is new: none is a new pattern.
        for (int i = 0; i < 5; ++i)
            log(t0 + i * minute, "database timeout after 30 s");
        QCOMPARE(noted(t0, t0 + 10 * minute), 0);
        // Past the warm-up, a one-off error line is not a pattern either.
        log(t0 + 70 * minute, "cache shard 7 unreachable");
        log(t0 + 90 * minute, "upstream reset by peer");
        QCOMPARE(noted(t0 + 60 * minute, t0 + 100 * minute), 0);
        // A burst of a new error within one minute is not yet a pattern.
        for (int i = 0; i < 5; ++i)
            log(t0 + 95 * minute + i * kNsPerSec, "disk quota exceeded on volume " + std::to_string(i));
        QCOMPARE(noted(t0 + 95 * minute, t0 + 96 * minute), 0);
        // A new error that recurs in three minutes within ten minutes is, in the minute it recurred.
        log(t0 + 100 * minute, "payment gateway rejected token abc");
        log(t0 + 102 * minute, "payment gateway rejected token def");
        QCOMPARE(noted(t0 + 100 * minute, t0 + 102 * minute), 0);
        log(t0 + 104 * minute, "payment gateway rejected token ghi");
        QCOMPARE(noted(t0 + 104 * minute, t0 + 104 * minute), 1);
        // Known ones stay known; info lines are never error patterns.
        for (int i = 0; i < 4; ++i)
            log(t0 + (110 + i) * minute, "user logged in from somewhere new", Level::Info);
        QCOMPARE(noted(t0 + 105 * minute, t0 + 115 * minute), 0);
    }

    void newAndChangedAreReported()
    {
        DrainMiner d;
        const auto first = d.add("disk sda full");
        QVERIFY(first.created);
        const auto same = d.add("disk sda full");
        QVERIFY(!same.created && !same.changed);
        const auto general = d.add("disk sdb full");
        QVERIFY(!general.created && general.changed);
        QCOMPARE(general.id, first.id);
        QVERIFY(d.add("totally different words here").created);
    }

    void restoredTemplatesKeepTheirIds()
    {
        DrainMiner a;
        const auto id = a.add("Connection from 10.0.0.1 closed after 35 ms").id;
        a.add("Connection from 10.0.0.2 closed after 36 ms");
        DrainMiner b;
        b.restore(id, a.find(id)->text());
        const auto again = b.add("Connection from 10.9.9.9 closed after 1 ms");
        QCOMPARE(again.id, id);
        QVERIFY(!again.created);
        QVERIFY(b.add("something else entirely").id > id); // new ids continue after restored ones
    }

    void capBoundsMemory()
    {
        DrainMiner::Params p;
        p.maxTemplates = 10;
        DrainMiner d(p);
        for (int i = 0; i < 50; ++i)
            d.add(std::string(1, char('a' + i % 26)) + std::string(1, char('a' + i / 26)) + " event kind " + std::string(i % 3 + 1, 'x'));
        QCOMPARE(d.size(), std::size_t(10));
        QVERIFY(d.overflow() > 0);
        QCOMPARE(d.add("zz unseen words").id, std::int64_t(0));
    }
};

QTEST_GUILESS_MAIN(TstTemplates)
#include "tst_templates.moc"
