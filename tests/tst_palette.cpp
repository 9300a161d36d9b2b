#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QLineSeries>
#include <QStyle>
#include <QStyleFactory>
#include <QTest>

#include "statepalette.h"
#include "timelinechart.h"

using namespace fg;

namespace {

QPalette lightFusion()
{
    const std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion"))); // the caller owns it
    return fusion->standardPalette();
}

// A palette as desktop themes give it: Fusion's roles with the theme's window, base and text colours.
QPalette desktop(QColor window, QColor base, QColor alternate, QColor text)
{
    QPalette p = lightFusion();
    for (const QPalette::ColorGroup group : {QPalette::Active, QPalette::Inactive}) {
        p.setColor(group, QPalette::Window, window);
        p.setColor(group, QPalette::Base, base);
        p.setColor(group, QPalette::AlternateBase, alternate);
        p.setColor(group, QPalette::Button, window);
        for (const QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
            p.setColor(group, role, text);
    }
    return p;
}

// The worst contrast of `c` against the backgrounds state colours are drawn on.
double worstContrast(const QColor &c, const QPalette &p)
{
    double worst = 21;
    for (const QPalette::ColorRole role : {QPalette::Window, QPalette::Base, QPalette::AlternateBase})
        worst = std::min(worst, StatePalette::contrast(c, p.color(role)));
    return worst;
}

} // namespace

// The palette helper's colours read on light and dark desktop palettes (WCAG contrast: 4.5:1 for
// coloured text, 3:1 for chart lines and bars), and the charts follow a palette switch.
class TstPalette : public QObject {
    Q_OBJECT

private slots:
    void contrastIsWcags()
    {
        QCOMPARE(StatePalette::contrast(Qt::black, Qt::white), 21.0);
        QCOMPARE(StatePalette::contrast(Qt::white, Qt::white), 1.0);
        QVERIFY(qAbs(StatePalette::contrast(QColor(0x76, 0x76, 0x76), Qt::white) - 4.54) < 0.01);
    }

    void stateColoursReadOnEveryBackground_data()
    {
        QTest::addColumn<QPalette>("palette");
        QTest::newRow("Fusion light") << lightFusion();
        QTest::newRow("Breeze light") << desktop(QColor(0xef, 0xf0, 0xf1), QColor(0xff, 0xff, 0xff), QColor(0xf7, 0xf7, 0xf7),
                                               QColor(0x23, 0x26, 0x29));
        QTest::newRow("Fusion dark") << desktop(QColor(0x35, 0x35, 0x35), QColor(0x2a, 0x2a, 0x2a), QColor(0x42, 0x42, 0x42),
                                             QColor(0xe6, 0xe6, 0xe6));
        QTest::newRow("Breeze dark") << desktop(QColor(0x31, 0x36, 0x3b), QColor(0x23, 0x26, 0x29), QColor(0x2a, 0x2e, 0x32),
                                             QColor(0xef, 0xf0, 0xf1));
        QTest::newRow("black") << desktop(Qt::black, Qt::black, QColor(0x10, 0x10, 0x10), Qt::white);
    }

    void stateColoursReadOnEveryBackground()
    {
        QFETCH(QPalette, palette);
        QApplication::setPalette(palette);
        for (const HealthState state : {HealthState::Healthy, HealthState::Degraded, HealthState::Critical, HealthState::Silent}) {
            const double c = worstContrast(StatePalette::health(state), palette);
            QVERIFY2(c >= StatePalette::kTextContrast,
                     qPrintable(QStringLiteral("%1: %2:1").arg(StatePalette::healthText(state)).arg(c, 0, 'f', 2)));
        }
        for (const char *level : {"fatal", "error", "warn", "info", "debug"}) {
            const double c = worstContrast(StatePalette::level(QString::fromLatin1(level)), palette);
            QVERIFY2(c >= StatePalette::kTextContrast, qPrintable(QStringLiteral("%1: %2:1").arg(QLatin1String(level)).arg(c, 0, 'f', 2)));
        }
        for (int i = 0; i < 4; ++i) {
            const double c = worstContrast(StatePalette::series(i), palette);
            QVERIFY2(c >= StatePalette::kGraphicContrast, qPrintable(QStringLiteral("series %1: %2:1").arg(i).arg(c, 0, 'f', 2)));
        }
        for (const char *level : {"info", "warning", "error", "critical"}) {
            const double c = worstContrast(StatePalette::levelBar(QString::fromLatin1(level)), palette);
            QVERIFY2(c >= StatePalette::kGraphicContrast, qPrintable(QStringLiteral("bar %1: %2:1").arg(QLatin1String(level)).arg(c, 0, 'f', 2)));
        }
        // The icons are drawn in the same colours.
        const QImage dot = StatePalette::healthIcon(HealthState::Critical).pixmap(32).toImage();
        QCOMPARE(dot.pixelColor(16, 16).rgb(), StatePalette::health(HealthState::Critical).rgb());
    }

    void chartsFollowThePalette()
    {
        QApplication::setPalette(lightFusion());
        TimelineChart chart(QStringLiteral("Latency"), QStringLiteral("ms"));
        chart.setData(0, 3'600'000, {{QStringLiteral("p95"), {QPointF(0, 1), QPointF(3'600'000, 2)}}});
        chart.resize(600, 200);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        auto check = [&chart](const QPalette &p) {
            QCOMPARE(chart.chart()->backgroundBrush().color(), p.color(QPalette::Base));
            QCOMPARE(chart.chart()->titleBrush().color(), p.color(QPalette::Text));
            for (QAbstractAxis *axis : chart.chart()->axes())
                QCOMPARE(axis->labelsBrush().color(), p.color(QPalette::Text));
            QCOMPARE(chart.lineSeries().first()->pen().color(), StatePalette::series(0));
            QVERIFY(StatePalette::contrast(chart.lineSeries().first()->pen().color(), p.color(QPalette::Base))
                    >= StatePalette::kGraphicContrast);
        };
        check(lightFusion());
        // The desktop switches to dark: the chart repaints in the new colours, no restart.
        const QPalette night = desktop(QColor(0x35, 0x35, 0x35), QColor(0x2a, 0x2a, 0x2a), QColor(0x42, 0x42, 0x42), QColor(0xe6, 0xe6, 0xe6));
        QApplication::setPalette(night);
        QCoreApplication::processEvents();
        check(night);
        QApplication::setPalette(lightFusion());
        QCoreApplication::processEvents();
        check(lightFusion());
    }
};

QTEST_MAIN(TstPalette)
#include "tst_palette.moc"
