#include <QDateTime>
#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "engine/engine.h"
#include "testhttpclient.h"

using namespace fg;


class TstListener : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine> m_engine;
    quint16 m_port = 0;

    std::unique_ptr<Engine> startEngine(EngineConfig c)
    {
        auto e = std::make_unique<Engine>(c);
        QString err;
        if (!e->start(&err)) {
            qWarning() << err;
            return nullptr;
        }
        return e;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("listener.db"));
        c.maxBodyBytes = 1024 * 1024;
        c.maxDecompressedBytes = 4 * 1024 * 1024;
        c.retentionSeconds = 0;
        m_engine = startEngine(c);
        QVERIFY(m_engine);
        m_port = m_engine->port();
        QVERIFY(m_port != 0);
    }
    void cleanupTestCase() { m_engine.reset(); }

    void accepted202AndStored()
    {
        TestHttpClient c(m_port);
        const HttpReply r = c.post("/api/ingest/logs", kIssueExample);
        QCOMPARE(r.status, 202);
        const QJsonObject j = r.json();
        QCOMPARE(j.value(QStringLiteral("accepted")).toInt(), 1);
        QCOMPARE(j.value(QStringLiteral("duplicates")).toInt(), 0);
        QCOMPARE(j.value(QStringLiteral("rejected")).toInt(), 0);
        QVERIFY(j.value(QStringLiteral("errors")).toArray().isEmpty());
        const HttpReply q = c.get("/api/logs?service=auth&level=error");
        QCOMPARE(q.status, 200);
        const QJsonArray items = q.json().value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 1);
        const QJsonObject item = items[0].toObject();
        QCOMPARE(item.value(QStringLiteral("ts")).toString(), QStringLiteral("2024-01-01T12:00:00.000Z"));
        QCOMPARE(item.value(QStringLiteral("level")).toString(), QStringLiteral("ERROR"));
        QCOMPARE(item.value(QStringLiteral("latency_ms")).toDouble(), 850.0);
        QCOMPARE(item.value(QStringLiteral("status_code")).toInt(), 500);
        QVERIFY(item.value(QStringLiteral("received_at")).toString().endsWith(QLatin1Char('Z')));
        QVERIFY(q.json().contains(QStringLiteral("next_cursor")));
    }

    void curlFormPostAndNdjson()
    {
        // What `curl -d` sends: form-urlencoded with a JSON body.
        TestHttpClient c(m_port);
        QCOMPARE(c.post("/api/ingest/logs", R"({"service":"form"})", "application/x-www-form-urlencoded").status, 202);
        QCOMPARE(c.post("/api/ingest/logs", R"({"service":"notype"})", QByteArray()).status, 202);
        const HttpReply nd = c.post("/api/ingest/logs", "{\"service\":\"nd\"}\n{oops}\n{\"service\":\"nd\"}\n",
                                    "application/x-ndjson");
        QCOMPARE(nd.status, 202);
        QCOMPARE(nd.json().value(QStringLiteral("accepted")).toInt(), 2);
        QCOMPARE(nd.json().value(QStringLiteral("rejected")).toInt(), 1);
        QCOMPARE(nd.json().value(QStringLiteral("errors")).toArray()[0].toObject().value(QStringLiteral("index")).toInt(), 1);
        // NDJSON labelled application/json is taken for what it is.
        const HttpReply mislabelled = c.post("/api/ingest/logs", "{\"service\":\"nd\"}\n{\"service\":\"nd\"}\n");
        QCOMPARE(mislabelled.status, 202);
        QCOMPARE(mislabelled.json().value(QStringLiteral("accepted")).toInt(), 2);
    }

    void partialAndAllInvalid()
    {
        TestHttpClient c(m_port);
        const HttpReply partial = c.post("/api/ingest/logs", R"([{"service":"p"},{"ts":"x","service":"p"},{"message":"no service"}])");
        QCOMPARE(partial.status, 202);
        QCOMPARE(partial.json().value(QStringLiteral("accepted")).toInt(), 1);
        QCOMPARE(partial.json().value(QStringLiteral("rejected")).toInt(), 2);
        const QJsonArray errs = partial.json().value(QStringLiteral("errors")).toArray();
        QCOMPARE(errs[0].toObject().value(QStringLiteral("index")).toInt(), 1);
        QCOMPARE(errs[0].toObject().value(QStringLiteral("field")).toString(), QStringLiteral("ts"));
        QCOMPARE(errs[1].toObject().value(QStringLiteral("field")).toString(), QStringLiteral("service"));

        const HttpReply none = c.post("/api/ingest/logs", R"([{"level":"info"},{"service":7}])");
        QCOMPARE(none.status, 422);
        QCOMPARE(none.json().value(QStringLiteral("error")).toString(), QStringLiteral("ValidationError"));
        QCOMPARE(none.json().value(QStringLiteral("rejected")).toInt(), 2);
        QCOMPARE(none.json().value(QStringLiteral("accepted")).toInt(), 0);
        QCOMPARE(none.json().value(QStringLiteral("errors")).toArray().size(), 2);
    }

    void errorStatuses()
    {
        TestHttpClient c(m_port);
        HttpReply r = c.post("/api/ingest/logs", "{not json");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("ValidationError"));
        QVERIFY(r.json().value(QStringLiteral("details")).isObject());

        r = c.post("/api/ingest/logs", "{}", "text/plain");
        QCOMPARE(r.status, 415);
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("UnsupportedMediaType"));

        r = c.request("POST", "/api/ingest/logs", "{}", {{"Content-Type", "application/json"}, {"Content-Encoding", "br"}});
        QCOMPARE(r.status, 415);

        r = c.get("/api/nothing-here");
        QCOMPARE(r.status, 404);
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("NotFound"));

        r = c.get("/api/ingest/logs");
        QCOMPARE(r.status, 405);
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("MethodNotAllowed"));
        QCOMPARE(r.header("allow"), QByteArray("POST"));

        r = c.get("/api/logs?limit=abc");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("limit"));
        QCOMPARE(c.get("/api/logs?range=forever").status, 400);
        QCOMPARE(c.get("/api/logs?level=loud").status, 400);
        QCOMPARE(c.get("/api/logs?cursor=bogus").status, 400);

        // The connection survived all of that (keep-alive).
        QCOMPARE(c.get("/api/health").status, 200);
    }

    void payloadTooLargeBeforeBody()
    {
        // Content-Length over the limit is refused from the head, with Expect: 100-continue never answered 100.
        TestHttpClient c(m_port);
        const HttpReply r = c.raw("POST /api/ingest/logs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 50000000\r\nExpect: 100-continue\r\n\r\n");
        QCOMPARE(r.status, 413);
        QVERIFY(!r.sawContinue);
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("PayloadTooLarge"));
    }

    void chunkedBodyOverLimit()
    {
        TestHttpClient c(m_port);
        QByteArray req = "POST /api/ingest/logs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n";
        const QByteArray chunk(512 * 1024, ' ');
        for (int i = 0; i < 3; ++i)
            req += QByteArray::number(chunk.size(), 16) + "\r\n" + chunk + "\r\n";
        req += "0\r\n\r\n";
        QCOMPARE(c.raw(req).status, 413);
    }

    void chunkedBodyAccepted()
    {
        TestHttpClient c(m_port);
        const QByteArray body = sampleLogs(50, "chunky", "ch");
        QByteArray req = "POST /api/ingest/logs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n";
        for (qsizetype pos = 0; pos < body.size(); pos += 1000) {
            const QByteArray part = body.mid(pos, 1000);
            req += QByteArray::number(part.size(), 16) + ";ext=1\r\n" + part + "\r\n";
        }
        req += "0\r\n\r\n";
        const HttpReply r = c.raw(req);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 50);
    }

    void expectContinueIsAnswered()
    {
        TestHttpClient c(m_port);
        const QByteArray body = sampleLogs(10, "expect", "ex");
        QVERIFY(c.ensureConnected());
        c.socket().write("POST /api/ingest/logs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         "Content-Length: " + QByteArray::number(body.size()) + "\r\nExpect: 100-continue\r\n\r\n");
        QVERIFY(c.socket().waitForBytesWritten(5000));
        QVERIFY(c.socket().waitForReadyRead(5000)); // the 100 arrives before we send the body
        QByteArray interim = c.socket().readAll();
        QVERIFY(interim.startsWith("HTTP/1.1 100 Continue"));
        c.socket().write(body);
        const HttpReply r = c.readReply();
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 10);
    }

    void curlLargeBodyDoesNotStall()
    {
        // curl sends Expect: 100-continue for bodies over 1 MB; a real curl must get its answer.
        if (QStandardPaths::findExecutable(QStringLiteral("curl")).isEmpty())
            QSKIP("curl not installed");
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("big.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(sampleLogs(4000, "curl", "cu")); // about 450 KB: under the test limit of 1 MiB
        f.close();
        QProcess curl;
        curl.start(QStringLiteral("curl"), {QStringLiteral("-sS"), QStringLiteral("-v"), QStringLiteral("-H"),
                                            QStringLiteral("Expect: 100-continue"), QStringLiteral("-H"),
                                            QStringLiteral("Content-Type: application/json"), QStringLiteral("--data-binary"),
                                            QLatin1Char('@') + f.fileName(),
                                            QStringLiteral("http://127.0.0.1:%1/api/ingest/logs").arg(m_port)});
        QVERIFY(curl.waitForFinished(30000));
        const QByteArray err = curl.readAllStandardError();
        QVERIFY2(err.contains("HTTP/1.1 100 Continue"), err.constData());
        QVERIFY2(err.contains("HTTP/1.1 202"), err.constData());
        QCOMPARE(QJsonDocument::fromJson(curl.readAllStandardOutput()).object().value(QStringLiteral("accepted")).toInt(), 4000);
    }

    void gzipBodies()
    {
        TestHttpClient c(m_port);
        HttpReply r = c.request("POST", "/api/ingest/logs", gzip(sampleLogs(20, "zipped", "gz")),
                                {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 20);
        // Small on the wire, huge when inflated: refused by the decompressed-size bound.
        r = c.request("POST", "/api/ingest/logs", gzip(QByteArray(16 << 20, ' ')),
                      {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
        QCOMPARE(r.status, 413);
        r = c.request("POST", "/api/ingest/logs", "definitely not gzip",
                      {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
        QCOMPARE(r.status, 400);
    }

    void idempotentSignalIds()
    {
        TestHttpClient c(m_port);
        const QByteArray body = R"([{"service":"idem","signal_id":"evt-1","message":"a"},{"service":"idem","signal_id":"evt-2"}])";
        HttpReply r = c.post("/api/ingest/logs", body);
        QCOMPARE(r.json().value(QStringLiteral("duplicates")).toInt(), 0);
        r = c.post("/api/ingest/logs", body);
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 2);
        QCOMPARE(r.json().value(QStringLiteral("duplicates")).toInt(), 2);
        QCOMPARE(c.get("/api/logs?service=idem").json().value(QStringLiteral("items")).toArray().size(), 2);
    }

    void hostAndOriginGuards()
    {
        TestHttpClient c(m_port);
        HttpReply r = c.raw("GET /api/health HTTP/1.1\r\nHost: attacker.example\r\n\r\n");
        QCOMPARE(r.status, 403);
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("Forbidden"));
        QCOMPARE(c.raw("GET /api/health HTTP/1.1\r\nHost: localhost:" + QByteArray::number(m_port) + "\r\n\r\n").status, 200);
        QCOMPARE(c.raw("GET /api/health HTTP/1.1\r\nHost: [::1]:" + QByteArray::number(m_port) + "\r\n\r\n").status, 200);
        QCOMPARE(c.raw("GET /api/health HTTP/1.1\r\n\r\n").status, 400); // HTTP/1.1 needs Host

        r = c.request("POST", "/api/ingest/logs", R"({"service":"x"})",
                      {{"Content-Type", "application/json"}, {"Origin", "https://evil.example"}});
        QCOMPARE(r.status, 403);
        r = c.request("POST", "/api/ingest/logs", R"({"service":"x"})",
                      {{"Content-Type", "application/json"}, {"Origin", "null"}});
        QCOMPARE(r.status, 403);
        r = c.request("POST", "/api/ingest/logs", R"({"service":"x"})",
                      {{"Content-Type", "application/json"},
                       {"Origin", "http://localhost:" + QByteArray::number(m_port)}});
        QCOMPARE(r.status, 202);
    }

    void pipelinedRequestsAnswerInOrder()
    {
        TestHttpClient c(m_port);
        QByteArray two;
        for (int i = 0; i < 2; ++i) {
            const QByteArray body = "{\"service\":\"pipe\",\"message\":\"" + QByteArray::number(i) + "\"}";
            two += "POST /api/ingest/logs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                   + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        }
        two += "GET /api/logs?service=pipe HTTP/1.1\r\nHost: localhost\r\n\r\n";
        QCOMPARE(c.raw(two).status, 202);
        QCOMPARE(c.readReply().status, 202);
        const HttpReply list = c.readReply();
        QCOMPARE(list.status, 200);
        QCOMPARE(list.json().value(QStringLiteral("items")).toArray().size(), 2);
    }

    void largeGzipBodyDoesNotDelayOtherClients()
    {
        EngineConfig cfg;
        cfg.listenPort = 0;
        cfg.dbPath = m_dir.filePath(QStringLiteral("decodepool.db"));
        cfg.maxBodyBytes = 16 * 1024 * 1024;
        cfg.maxDecompressedBytes = 64 * 1024 * 1024;
        cfg.maxInflightBytes = 1024LL * 1024 * 1024;
        cfg.retentionSeconds = 0;
        auto engine = startEngine(cfg);
        QVERIFY(engine);
        // 11 MB of JSON: inflating, parsing, classifying and tagging it takes hundreds of milliseconds.
        constexpr int kBig = 100'000; // the most one request may hold
        const QByteArray big = gzip(sampleLogs(kBig, "bulk", "b"));
        TestHttpClient a(engine->port()), b(engine->port());
        QVERIFY(a.ensureConnected());
        QVERIFY(b.ensureConnected());
        const qint64 requestsBefore = engine->stats().requests;
        const qint64 acceptedBefore = engine->stats().itemsAccepted;
        a.socket().write("POST /api/ingest/logs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         "Content-Encoding: gzip\r\nContent-Length: "
                         + QByteArray::number(big.size()) + "\r\n\r\n" + big);
        while (a.socket().bytesToWrite() > 0)
            QVERIFY(a.socket().waitForBytesWritten(10'000));
        // The large request has reached its route: with decoding on the listener thread, nothing else
        // would be read until its items were decoded, submitted and so committed first.
        const QDeadlineTimer deadline(10'000);
        while (engine->stats().requests == requestsBefore && !deadline.hasExpired())
            QThread::msleep(1);
        QVERIFY(engine->stats().requests > requestsBefore);
        QCOMPARE(b.post("/api/ingest/logs", sampleLogs(1, "small", "s")).status, 202);
        QVERIFY2(engine->stats().itemsAccepted - acceptedBefore < kBig, "the small request waited for the large one");
        const HttpReply bigReply = a.readReply(60'000);
        QCOMPARE(bigReply.status, 202);
        QCOMPARE(bigReply.json().value(QStringLiteral("accepted")).toInt(), kBig);
        const QJsonObject decoding = a.get("/api/health").json().value(QStringLiteral("decoding")).toObject();
        QCOMPARE(decoding.value(QStringLiteral("threads")).toInt(), 2);
        QCOMPARE(decoding.value(QStringLiteral("queued")).toInt(), 0);
    }

    void queryApi()
    {
        TestHttpClient c(m_port);
        QCOMPARE(c.post("/api/ingest/logs", sampleLogs(250, "paged", "pg")).status, 202);
        // Cursor pagination walks every item once, newest first.
        QByteArray target = "/api/logs?service=paged&limit=100&from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z";
        QStringList seen;
        for (int i = 0; i < 5; ++i) {
            const QJsonObject page = c.get(target).json();
            for (const QJsonValue &v : page.value(QStringLiteral("items")).toArray())
                seen << v.toObject().value(QStringLiteral("message")).toString();
            if (page.value(QStringLiteral("next_cursor")).isNull())
                break;
            target = "/api/logs?service=paged&limit=100&from=2024-01-01T00:00:00Z&to=2024-01-02T00:00:00Z&cursor="
                     + page.value(QStringLiteral("next_cursor")).toString().toLatin1();
        }
        QCOMPARE(seen.size(), 250);
        QCOMPARE(seen.first(), QStringLiteral("request 249 served"));
        QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), 250);
        QCOMPARE(c.get("/api/logs?service=paged&q=REQUEST%2012%20SERVED").json().value(QStringLiteral("items")).toArray().size(), 1);
        QCOMPARE(c.get("/api/logs?service=paged&q=request+12+served").json().value(QStringLiteral("items")).toArray().size(), 1);
        // A range in the past that holds nothing.
        QCOMPARE(c.get("/api/logs?service=paged&range=15m").json().value(QStringLiteral("items")).toArray().size(), 0);
        QCOMPARE(c.get("/api/logs?limit=5000").json().value(QStringLiteral("items")).toArray().size(),
                 qsizetype(std::min<qint64>(1000, m_engine->stats().logsStored)));

        const QJsonArray services = c.get("/api/services").json().value(QStringLiteral("items")).toArray();
        bool found = false;
        for (const QJsonValue &v : services)
            if (v.toObject().value(QStringLiteral("name")).toString() == QLatin1String("paged")) {
                found = true;
                QCOMPARE(v.toObject().value(QStringLiteral("log_count")).toInt(), 250);
                QCOMPARE(v.toObject().value(QStringLiteral("first_seen")).toString(), QStringLiteral("2024-01-01T12:00:00.000Z"));
            }
        QVERIFY(found);
    }

    void metricsApi()
    {
        TestHttpClient c(m_port);
        QByteArray body = "[";
        for (int i = 0; i < 120; ++i)
            body += (i ? "," : "") + QByteArray("{\"service\":\"m\",\"ts\":") + QByteArray::number(1704110400 + i)
                    + ",\"name\":\"queue\",\"value\":" + QByteArray::number(i) + "}";
        body += "]";
        QCOMPARE(c.post("/api/ingest/metrics", body).status, 202);
        const HttpReply snap = c.post("/api/ingest/metrics", R"({"service":"m","ts":"2024-01-01T12:00:00Z","tps":28.5,"error_rate":0.08,"p95_latency_ms":650})");
        QCOMPARE(snap.status, 202);
        QCOMPARE(snap.json().value(QStringLiteral("accepted")).toInt(), 1);
        const QJsonArray raw = c.get("/api/metrics?service=m&name=queue&limit=10").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(raw.size(), 10);
        QCOMPARE(raw[0].toObject().value(QStringLiteral("value")).toDouble(), 119.0);
        const QJsonArray buckets = c.get("/api/metrics?service=m&name=queue&from=2024-01-01T12:00:00Z&to=2024-01-01T12:01:59Z&step=1m")
                                       .json()
                                       .value(QStringLiteral("items"))
                                       .toArray();
        QCOMPARE(buckets.size(), 2);
        QCOMPARE(buckets[0].toObject().value(QStringLiteral("count")).toInt(), 60);
        QCOMPARE(buckets[1].toObject().value(QStringLiteral("avg")).toDouble(), 89.5);
        QCOMPARE(c.get("/api/metrics?service=m&name=tps").json().value(QStringLiteral("items")).toArray()[0].toObject().value(QStringLiteral("value")).toDouble(), 28.5);
        QCOMPARE(c.get("/api/metrics?step=1s&range=7d").status, 400);
    }

    void kpisFromIngestedLogs()
    {
        // Ten minutes of history for one service: 60 requests a minute, latency 1..60 ms, the first
        // three of each minute answered 503. Sent in one go, as a backfill would be.
        TestHttpClient c(m_port);
        QByteArray body;
        for (int m = 0; m < 10; ++m)
            for (int i = 0; i < 60; ++i)
                body += "{\"service\":\"kpisvc\",\"ts\":\"2024-01-01T12:" + QByteArray::number(m).rightJustified(2, '0')
                        + ":" + QByteArray::number(i).rightJustified(2, '0') + "Z\",\"message\":\"GET /users/"
                        + QByteArray::number(i) + " HTTP/1.1 status=" + (i < 3 ? "503" : "200") + " latency="
                        + QByteArray::number(i + 1) + "ms\"}\n";
        const HttpReply r = c.post("/api/ingest/logs", body, "application/x-ndjson");
        QCOMPARE(r.status, 202);
        QCOMPARE(r.json().value(QStringLiteral("accepted")).toInt(), 600);
        // A minute closes once event time (12:09:59) is 2 minutes (the lateness allowance) past its end:
        // 12:00..12:06.
        const QByteArray query = "/api/kpis?service=kpisvc&from=2024-01-01T12:00:00Z&to=2024-01-01T12:59:00Z";
        QJsonArray items;
        for (int attempt = 0; attempt < 100 && items.size() < 7; ++attempt) {
            items = c.get(query).json().value(QStringLiteral("items")).toArray();
            if (items.size() < 7)
                QThread::msleep(100);
        }
        QCOMPARE(items.size(), 7);
        const QJsonObject first = items[0].toObject();
        QCOMPARE(first.value(QStringLiteral("ts")).toString(), QStringLiteral("2024-01-01T12:00:00.000Z"));
        QCOMPARE(first.value(QStringLiteral("requests")).toInt(), 60);
        QCOMPARE(first.value(QStringLiteral("errors")).toInt(), 3);
        QCOMPARE(first.value(QStringLiteral("error_rate")).toDouble(), 0.05);
        QCOMPARE(first.value(QStringLiteral("throughput_rps")).toDouble(), 1.0);
        QVERIFY(std::abs(first.value(QStringLiteral("p95_latency_ms")).toDouble() - 57) <= 0.6);
        // Routes come normalised, and a raw path finds its route.
        const QJsonObject route = c.get("/api/kpis?service=kpisvc&endpoint=/users/7&from=2024-01-01T12:00:00Z&to=2024-01-01T12:59:00Z&step=5m").json();
        QCOMPARE(route.value(QStringLiteral("endpoint")).toString(), QStringLiteral("/users/{id}"));
        QCOMPARE(route.value(QStringLiteral("items")).toArray()[0].toObject().value(QStringLiteral("requests")).toInt(), 300);
        QCOMPARE(c.get("/api/kpis").status, 400);
        QCOMPARE(c.get("/api/kpis?service=kpisvc&step=90s").status, 400);
    }

    void metricSeriesAnomaliesOverHttp()
    {
        // An hour and a half of a gauge from 13:00, jumping tenfold for ten minutes at 14:00.
        TestHttpClient c(m_port);
        QByteArray body;
        for (int m = 0; m < 90; ++m)
            for (int i = 0; i < 4; ++i) {
                const double v = m >= 60 && m < 70 ? 400.0 : 40.0 + (m * 7 + i * 3) % 5;
                body += "{\"service\":\"mq\",\"ts\":" + QByteArray::number(1704114000LL + m * 60 + i * 15)
                        + ",\"name\":\"queue.depth\",\"value\":" + QByteArray::number(v) + "}\n";
            }
        QCOMPARE(c.post("/api/ingest/metrics", body, "application/x-ndjson").status, 202);
        QJsonArray items;
        for (int attempt = 0; attempt < 100 && items.isEmpty(); ++attempt) {
            items = c.get("/api/anomalies?service=mq").json().value(QStringLiteral("items")).toArray();
            if (items.isEmpty())
                QThread::msleep(100);
        }
        QCOMPARE(items.size(), 1);
        const QJsonObject a = items[0].toObject();
        QCOMPARE(a.value(QStringLiteral("kind")).toString(), QStringLiteral("anomaly"));
        QCOMPARE(a.value(QStringLiteral("metric")).toString(), QStringLiteral("queue.depth"));
        QCOMPARE(a.value(QStringLiteral("started_at")).toString(), QStringLiteral("2024-01-01T14:00:00.000Z"));
        QVERIFY2(a.value(QStringLiteral("explanation")).toString().contains(QStringLiteral("400 vs baseline")),
                 qPrintable(a.value(QStringLiteral("explanation")).toString()));
    }

    void liveWindowsFromMemory()
    {
        TestHttpClient c(m_port);
        // Three minutes of traffic ending now: the last one still open.
        const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
        const qint64 minuteStart = nowMs - nowMs % 60000;
        QByteArray body;
        for (int m = 2; m >= 0; --m)
            for (int i = 0; i < 30; ++i)
                body += "{\"service\":\"live\",\"ts\":" + QByteArray::number(minuteStart - m * 60000 + i * 10)
                        + ",\"status_code\":" + (i < 3 ? "500" : "200") + ",\"latency_ms\":" + QByteArray::number(10 + i)
                        + "}\n";
        QCOMPARE(c.post("/api/ingest/logs", body, "application/x-ndjson").status, 202);
        QJsonObject w;
        for (int attempt = 0; attempt < 50 && w.isEmpty(); ++attempt) {
            const QJsonArray items = c.get("/api/kpis/live?service=live").json().value(QStringLiteral("items")).toArray();
            if (!items.isEmpty())
                w = items[0].toObject().value(QStringLiteral("windows")).toObject();
            else
                QThread::msleep(100);
        }
        QVERIFY(!w.isEmpty());
        QCOMPARE(w.value(QStringLiteral("1m")).toObject().value(QStringLiteral("requests")).toInt(), 30);
        QCOMPARE(w.value(QStringLiteral("5m")).toObject().value(QStringLiteral("requests")).toInt(), 90);
        QCOMPARE(w.value(QStringLiteral("1h")).toObject().value(QStringLiteral("error_rate")).toDouble(), 0.1);
        QCOMPARE(w.value(QStringLiteral("5m")).toObject().value(QStringLiteral("throughput_rps")).toDouble(), 0.5);
    }

    void detectionSettingsApi()
    {
        TestHttpClient c(m_port);
        QJsonObject s = c.get("/api/settings/detection").json();
        QCOMPARE(s.value(QStringLiteral("sensitivity")).toString(), QStringLiteral("normal"));
        QCOMPARE(s.value(QStringLiteral("for_minutes")).toInt(), 3);
        HttpReply r = c.request("PUT", "/api/settings/detection",
                                R"({"sensitivity":"high","for_minutes":2,"slos":{"checkout":{"p95_latency_ms":400,"error_rate":0.01}}})");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("sensitivity")).toString(), QStringLiteral("high"));
        QCOMPARE(r.json().value(QStringLiteral("warmup_minutes")).toInt(), 30); // defaults fill the rest
        s = c.get("/api/settings/detection").json();
        QCOMPARE(s.value(QStringLiteral("for_minutes")).toInt(), 2);
        QCOMPARE(s.value(QStringLiteral("slos")).toObject().value(QStringLiteral("checkout")).toObject().value(QStringLiteral("p95_latency_ms")).toDouble(), 400.0);

        r = c.request("PUT", "/api/settings/detection", R"({"sensitivity":"extreme"})");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("sensitivity"));
        r = c.request("PUT", "/api/settings/detection", R"({"slos":{"svc":{"error_rate":5}}})");
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("slos.svc.error_rate"));
        r = c.request("PUT", "/api/settings/detection", R"({"for_minutes":0})");
        QCOMPARE(r.status, 400);
        QCOMPARE(c.request("PUT", "/api/settings/detection", "not json").status, 400);
        r = c.request("POST", "/api/settings/detection", "{}");
        QCOMPARE(r.status, 405);
        QCOMPARE(r.header("allow"), QByteArray("GET, PUT"));
        // The rejected writes changed nothing.
        QCOMPARE(c.get("/api/settings/detection").json().value(QStringLiteral("sensitivity")).toString(), QStringLiteral("high"));
        QCOMPARE(c.request("PUT", "/api/settings/detection", "{}", {{"Origin", "https://evil.example"}}).status, 403);
        QCOMPARE(c.request("PUT", "/api/settings/detection", "{}").status, 200); // back to defaults
    }

    void tagsOnEventsAndUserRules()
    {
        TestHttpClient c(m_port);
        QCOMPARE(c.post("/api/ingest/logs", R"([{"service":"tagged","message":"db query timed out"},{"service":"tagged","message":"card declined"}])").status, 202);
        QJsonArray items = c.get("/api/logs?service=tagged&tag=timeout").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 1);
        QCOMPARE(items[0].toObject().value(QStringLiteral("tags")).toArray(), (QJsonArray{QStringLiteral("db"), QStringLiteral("timeout")}));
        // A user rule applies to what is ingested after it is stored.
        HttpReply r = c.request("PUT", "/api/settings/tags", R"({"rules":[{"tag":"payments","words":["card declined"]}]})");
        QCOMPARE(r.status, 200);
        QCOMPARE(c.get("/api/settings/tags").json().value(QStringLiteral("rules")).toArray().size(), 1);
        QCOMPARE(c.post("/api/ingest/logs", R"({"service":"tagged","message":"Card declined again"})").status, 202);
        items = c.get("/api/logs?service=tagged&tag=payments").json().value(QStringLiteral("items")).toArray();
        QCOMPARE(items.size(), 1);
        QCOMPARE(items[0].toObject().value(QStringLiteral("message")).toString(), QStringLiteral("Card declined again"));
        r = c.request("PUT", "/api/settings/tags", R"({"rules":[{"tag":"a,b","words":["x"]}]})");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json().value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString(), QStringLiteral("rules[0].tag"));
    }

    void healthReadyConfig()
    {
        TestHttpClient c(m_port);
        const QJsonObject h = c.get("/api/health").json();
        QCOMPARE(h.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QVERIFY(h.value(QStringLiteral("db")).toObject().value(QStringLiteral("ok")).toBool());
        QVERIFY(h.contains(QStringLiteral("queue_depth")));
        QVERIFY(h.contains(QStringLiteral("version")));
        QCOMPARE(c.get("/api/ready").status, 200);
        const QJsonObject cfg = c.get("/api/config").json();
        QCOMPARE(cfg.value(QStringLiteral("max_body_bytes")).toInteger(), 1024 * 1024);
    }

    void overloadAnswers503WithRetryAfter()
    {
        EngineConfig cfg;
        cfg.listenPort = 0;
        cfg.dbPath = m_dir.filePath(QStringLiteral("tiny.db"));
        cfg.maxInflightBytes = 1024 * 1024;
        cfg.maxBodyBytes = 4 * 1024 * 1024;
        auto engine = startEngine(cfg);
        QVERIFY(engine);
        TestHttpClient c(engine->port());
        // 700 KB reserves twice its size: over the 1 MiB budget.
        const HttpReply r = c.raw("POST /api/ingest/logs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 700000\r\nExpect: 100-continue\r\n\r\n");
        QCOMPARE(r.status, 503);
        QCOMPARE(r.header("retry-after"), QByteArray("1"));
        QCOMPARE(r.json().value(QStringLiteral("error")).toString(), QStringLiteral("Overloaded"));
        // Smaller requests still go through.
        TestHttpClient d(engine->port());
        QCOMPARE(d.post("/api/ingest/logs", sampleLogs(10, "small")).status, 202);
        // A modest body of many tiny items expands far beyond its size once decoded: it is refused rather
        // than allowed to grow memory past the budget.
        QByteArray tiny = "[";
        for (int i = 0; i < 30000; ++i)
            tiny += i ? ",{\"service\":\"t\"}" : "{\"service\":\"t\"}";
        tiny += "]";
        QVERIFY(tiny.size() * 2 < 1024 * 1024);
        const HttpReply big = d.post("/api/ingest/logs", tiny);
        QCOMPARE(big.status, 413);
        QCOMPARE(big.json().value(QStringLiteral("error")).toString(), QStringLiteral("PayloadTooLarge"));
        QCOMPARE(d.get("/api/logs?service=t").json().value(QStringLiteral("items")).toArray().size(), 0);
        QCOMPARE(d.get("/api/health").json().value(QStringLiteral("inflight_bytes")).toInteger(), 0);
    }

    void secondInstanceOnSameDatabaseRefused()
    {
        EngineConfig c;
        c.listenPort = 0;
        c.dbPath = m_dir.filePath(QStringLiteral("listener.db"));
        Engine second(c);
        QString err;
        QVERIFY(!second.start(&err));
        QVERIFY2(err.contains(QStringLiteral("already in use")), qPrintable(err));
    }

    void portInUseRefused()
    {
        EngineConfig c;
        c.listenPort = m_port;
        c.dbPath = m_dir.filePath(QStringLiteral("other.db"));
        Engine other(c);
        QString err;
        QVERIFY(!other.start(&err));
        QVERIFY2(err.contains(QStringLiteral("cannot listen")), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TstListener)
#include "tst_listener.moc"
