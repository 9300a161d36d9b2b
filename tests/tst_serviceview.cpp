#include <QAbstractItemModelTester>
#include <QAreaSeries>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTableView>
#include <QTest>
#include <QTimeZone>

#include "downsample.h"
#include "endpointsmodel.h"
#include "engine/engine.h"
#include "patternsmodel.h"
#include "serviceview.h"
#include "testhttpclient.h"
#include "timelinechart.h"
#include "timewindowdialog.h"

using namespace fg;

// The service view against a real engine: two hours of history with a latency creep ingested over the
// real listener must give timelines with points, a baseline band and the degradation shaded as a span;
// endpoints and error patterns fill their tables. Plus the downsampler the charts rely on.
class TstServiceView : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void downsampleKeepsExtremesPerColumn()
    {
        QList<QPointF> points;
        for (int i = 0; i < 10'000; ++i)
            points.append(QPointF(i, i == 5000 ? 1000 : i % 7));
        const QList<QPointF> out = downsampleMinMax(points, 0, 9999, 100);
        QVERIFY(out.size() <= 2 * 100 + 2);
        QVERIFY(std::any_of(out.begin(), out.end(), [](const QPointF &p) { return p.y() == 1000; })); // the spike survives
        QVERIFY(std::is_sorted(out.begin(), out.end(), [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); }));
        // A zoomed range keeps the neighbours just outside it so the line reaches the border.
        const QList<QPointF> zoom = downsampleMinMax(points, 100.5, 110.5, 100);
        QCOMPARE(zoom.first().x(), 100.0);
        QCOMPARE(zoom.last().x(), 111.0);
        QCOMPARE(downsampleMinMax({}, 0, 1, 10).size(), 0);
    }

    void timelinesShowDataBaselineAndDegradation()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("service.db"));
        c.retentionSeconds = 0;
        Engine engine(c);
        QString err;
        QVERIFY2(engine.start(&err), qPrintable(err));
        TestHttpClient client(engine.port());
        for (const QByteArray &body : latencyCreepTraffic("checkout", true, 7))
            QCOMPARE(client.post("/api/ingest/logs", body, "application/x-ndjson").status, 202);
        QByteArray errors;
        for (int i = 0; i < 20; ++i)
            errors += "{\"service\":\"checkout\",\"ts\":\"2024-01-01T11:30:" + QByteArray::number(10 + i)
                      + "Z\",\"level\":\"error\",\"message\":\"card processor timed out after " + QByteArray::number(900 + i) + " ms\"}\n";
        QCOMPARE(client.post("/api/ingest/logs", errors, "application/x-ndjson").status, 202);

        ApiClient api;
        api.setTransport([&engine](const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                                   std::function<void(const HttpResponse &)> done) {
            engine.callApi(method, target, body, context, std::move(done));
        });
        ServiceView view(&api);
        QAbstractItemModelTester endpoints(view.endpointsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester patterns(view.patternsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view.resize(1100, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.showService(QStringLiteral("checkout"));
        const QDateTime from(QDate(2024, 1, 1), QTime(10, 0), QTimeZone::utc()), to(QDate(2024, 1, 1), QTime(12, 0), QTimeZone::utc());
        // Analysis runs behind ingest: show the window again until its minutes and the degradation are in.
        QSignalSpy loaded(&view, &ServiceView::timelinesLoaded);
        TimelineChart *latency = view.latencyChart();
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                view.showWindow(from, to);
                return loaded.wait(3000) && latency->lineSeries().size() == 2 && latency->lineSeries()[0]->count() >= 110
                       && latency->spanCount() >= 1;
            }(),
            40000);
        // Analysis is in. The API's baseline band (baseline=1 only): median ± 3 robust sigmas of the steps before each one.
        const QJsonArray plain = client.get("/api/kpis?service=checkout&from=2024-01-01T10:00:00Z&to=2024-01-01T12:00:00Z")
                                     .json().value(QStringLiteral("items")).toArray();
        QVERIFY(!plain.isEmpty());
        QVERIFY(!plain.last().toObject().contains(QStringLiteral("baseline")));
        auto bandAt = [&](const char *at) {
            return client.get("/api/kpis?baseline=1&service=checkout&from=" + QByteArray(at) + "&to=2024-01-01T12:00:00Z")
                .json().value(QStringLiteral("items")).toArray().first().toObject().value(QStringLiteral("baseline")).toObject();
        };
        QVERIFY(bandAt("2024-01-01T10:00:00Z").isEmpty()); // no history before the first minute
        const QJsonObject band = bandAt("2024-01-01T11:00:00Z").value(QStringLiteral("p95_latency_ms")).toObject();
        QVERIFY2(band.value(QStringLiteral("low")).toDouble() < band.value(QStringLiteral("median")).toDouble()
                     && band.value(QStringLiteral("median")).toDouble() < band.value(QStringLiteral("high")).toDouble(),
                 QJsonDocument(band).toJson());
        QVERIFY(band.value(QStringLiteral("median")).toDouble() > 200 && band.value(QStringLiteral("median")).toDouble() < 400);

        // p95 and p99 over a real time axis, the baseline band under them, the creep shaded.
        QCOMPARE(latency->lineSeries()[0]->name(), QStringLiteral("p95"));
        QVERIFY(latency->lineSeries()[0]->count() <= latency->width() + 2); // never more than the pixels
        QVERIFY(latency->bandSeries()->upperSeries()->count() > 50);
        QVERIFY(latency->spanSeries()->upperSeries()->count() >= 4);
        const qint64 spanStart = qint64(latency->spanSeries()->upperSeries()->at(0).x());
        QVERIFY2(spanStart >= QDateTime(QDate(2024, 1, 1), QTime(11, 0), QTimeZone::utc()).toMSecsSinceEpoch(),
                 qPrintable(QDateTime::fromMSecsSinceEpoch(spanStart).toString(Qt::ISODate)));
        QCOMPARE(view.errorChart()->spanCount(), latency->spanCount());
        // The degradation's alert sits where it fired; clicking it asks to open it.
        QVERIFY(latency->markerCount() >= 1);
        QSignalSpy openAlert(&view, &ServiceView::openAlert);
        const QRectF plot = latency->chart()->plotArea();
        const double firedX = plot.left() + (latency->spanSeries()->upperSeries()->at(0).x() - double(latency->visibleFrom()))
                                                * plot.width() / double(latency->visibleTo() - latency->visibleFrom());
        for (int dx = -8; dx <= 80 && openAlert.isEmpty(); dx += 4)
            QTest::mouseClick(latency->viewport(), Qt::LeftButton, {}, latency->mapFromScene(QPointF(firedX + dx, plot.top() + 5)));
        QCOMPARE(openAlert.size(), 1);
        QVERIFY(openAlert.first().first().toLongLong() > 0);
        QVERIFY(view.throughputChart()->lineSeries()[0]->count() >= 110);
        // The crosshair text names the minute and the values with their unit.
        const QString tip = latency->valuesAt(QDateTime(QDate(2024, 1, 1), QTime(11, 50), QTimeZone::utc()).toMSecsSinceEpoch());
        QVERIFY2(tip.contains(QStringLiteral("p95: ")) && tip.contains(QStringLiteral(" ms")) && tip.contains(QStringLiteral("degradation")),
                 qPrintable(tip));

        // Zoom on one chart moves the others with it; double click returns to the whole range.
        QWheelEvent wheel(QPointF(latency->width() / 2, latency->height() / 2), latency->mapToGlobal(QPointF(latency->width() / 2, 50)),
                          QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(latency->viewport(), &wheel);
        QVERIFY(latency->visibleTo() - latency->visibleFrom() < to.toMSecsSinceEpoch() - from.toMSecsSinceEpoch());
        QCOMPARE(view.throughputChart()->visibleFrom(), latency->visibleFrom());
        QTest::mouseDClick(latency->viewport(), Qt::LeftButton);
        QCOMPARE(view.errorChart()->visibleFrom(), from.toMSecsSinceEpoch());

        // Endpoints and error patterns of the service.
        QTRY_VERIFY(view.endpointsModel()->rowOf(QStringLiteral("/pay/{id}")) >= 0);
        const QList<PatternRow> &rows = view.patternsModel()->rows();
        QTRY_VERIFY(std::any_of(rows.begin(), rows.end(), [](const PatternRow &r) {
            return r.text == QLatin1String("card processor timed out after <*> ms") && r.count == 20 && r.isNew;
        }));

        // A double click on an endpoint shows its own timelines, with its own degradation.
        auto *endpointTable = view.findChild<QTableView *>(QStringLiteral("endpointTable"));
        QVERIFY(endpointTable && endpointTable->model()->rowCount() > 0);
        int payRow = -1;
        for (int r = 0; r < endpointTable->model()->rowCount(); ++r)
            if (endpointTable->model()->index(r, EndpointsModel::Endpoint).data().toString() == QLatin1String("/pay/{id}"))
                payRow = r;
        QVERIFY(payRow >= 0);
        loaded.clear();
        const QModelIndex pay = endpointTable->model()->index(payRow, EndpointsModel::P95);
        QTest::mouseClick(endpointTable->viewport(), Qt::LeftButton, {}, endpointTable->visualRect(pay).center());
        QTest::mouseDClick(endpointTable->viewport(), Qt::LeftButton, {}, endpointTable->visualRect(pay).center());
        QCOMPARE(view.endpoint(), QStringLiteral("/pay/{id}"));
        QVERIFY(loaded.wait(5000));
        QVERIFY(latency->lineSeries()[0]->count() >= 110);
        QCOMPARE(latency->spanCount(), 1);
        view.showEndpoint({});
        QVERIFY(loaded.wait(5000));

        // "Custom…" asks for a window; cancelling keeps the previous choice, OK shows the window chosen.
        view.rangeBox()->setCurrentIndex(1); // the last hour: nothing in 2024
        QVERIFY(loaded.wait(5000));
        view.rangeBox()->setCurrentIndex(5);
        auto *dialog = view.findChild<TimeWindowDialog *>();
        QVERIFY(dialog);
        dialog->reject();
        QCOMPARE(view.rangeBox()->currentIndex(), 1);
        view.rangeBox()->setCurrentIndex(5);
        QTRY_VERIFY(view.findChild<TimeWindowDialog *>());
        dialog = view.findChild<TimeWindowDialog *>();
        dialog->setWindow(from.addSecs(3600), to);
        loaded.clear();
        dialog->accept();
        QVERIFY(loaded.wait(5000));
        QCOMPARE(latency->visibleFrom(), from.addSecs(3600).toMSecsSinceEpoch());
        QVERIFY(latency->lineSeries()[0]->count() >= 55);
        QCOMPARE(view.rangeBox()->currentIndex(), 6);
        QVERIFY(!view.grab().isNull());
        engine.stop();
    }
};

QTEST_MAIN(TstServiceView)
#include "tst_serviceview.moc"
