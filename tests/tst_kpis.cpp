#include <QTest>

#include <algorithm>
#include <random>

#include "analysis/ddsketch.h"
#include "analysis/endpointnormalizer.h"

using namespace fg;

class TstKpis : public QObject {
    Q_OBJECT

private slots:
    void sketchWithinOnePercentOfExactQuantiles_data()
    {
        QTest::addColumn<int>("distribution");
        QTest::newRow("lognormal latencies") << 0;
        QTest::newRow("uniform 1..1000 ms") << 1;
        QTest::newRow("bimodal cache hit/miss") << 2;
    }
    void sketchWithinOnePercentOfExactQuantiles()
    {
        QFETCH(int, distribution);
        std::mt19937_64 rng(11);
        std::lognormal_distribution<double> logn(4.0, 1.2);
        std::uniform_real_distribution<double> uni(1.0, 1000.0);
        std::normal_distribution<double> fast(2.0, 0.3), slow(400.0, 60.0);
        DDSketch sketch(0.01);
        std::vector<double> values;
        for (int i = 0; i < 100000; ++i) {
            double v = distribution == 0 ? logn(rng) : distribution == 1 ? uni(rng) : (i % 10 ? fast(rng) : slow(rng));
            v = std::max(v, 0.01);
            values.push_back(v);
            sketch.add(v);
        }
        std::sort(values.begin(), values.end());
        for (double q : {0.5, 0.9, 0.95, 0.99, 0.999}) {
            const double exact = values[std::size_t(q * double(values.size() - 1))];
            const double got = sketch.quantile(q);
            QVERIFY2(std::abs(got - exact) <= 0.01 * exact + 1e-9,
                     qPrintable(QStringLiteral("q=%1 exact=%2 sketch=%3").arg(q).arg(exact).arg(got)));
        }
        QCOMPARE(sketch.count(), quint64(values.size()));
        QCOMPARE(sketch.min(), values.front());
        QCOMPARE(sketch.max(), values.back());
    }

    void sketchMergesAndRoundTrips()
    {
        DDSketch a, b, all;
        for (int i = 1; i <= 1000; ++i) {
            (i % 2 ? a : b).add(i);
            all.add(i);
        }
        a.merge(b);
        for (double q : {0.1, 0.5, 0.99})
            QCOMPARE(a.quantile(q), all.quantile(q));
        const DDSketch back = DDSketch::fromBytes(a.toBytes());
        QCOMPARE(back.count(), a.count());
        QCOMPARE(back.sum(), a.sum());
        QCOMPARE(back.quantile(0.95), a.quantile(0.95));
        QVERIFY(DDSketch::fromBytes("garbage").empty());
        QVERIFY(std::isnan(DDSketch().quantile(0.5)));
    }

    void sketchHandlesZerosAndExtremes()
    {
        DDSketch s;
        s.add(0, 50);
        s.add(1e9, 50);
        s.add(-5); // ignored
        s.add(NAN); // ignored
        QCOMPARE(s.count(), quint64(100));
        QCOMPARE(s.quantile(0.25), 0.0);
        QVERIFY(std::abs(s.quantile(0.9) - 1e9) <= 1e7);
    }

    void endpoints_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("route");
        QTest::newRow("issue example") << "/users/123/orders/9f3a2c7e" << "/users/{id}/orders/{id}";
        QTest::newRow("query") << "/search?q=shoes&page=2" << "/search";
        QTest::newRow("uuid") << "/carts/3f2504e0-4f89-11d3-9a0c-0305e82c3301/items" << "/carts/{id}/items";
        QTest::newRow("words stay") << "/api/v1/health" << "/api/v1/health";
        QTest::newRow("token") << "/reset/AbC123xyZ987qwe456RTY" << "/reset/{id}";
        QTest::newRow("slashes") << "//api//login/" << "/api/login";
        QTest::newRow("root") << "/" << "/";
        QTest::newRow("short hex word") << "/cafe/bad" << "/cafe/bad";
    }
    void endpoints()
    {
        QFETCH(QString, path);
        QFETCH(QString, route);
        QCOMPARE(QString::fromStdString(normalizeEndpoint(path.toStdString())), route);
    }
};

QTEST_GUILESS_MAIN(TstKpis)
#include "tst_kpis.moc"
