#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QTcpSocket>

#include <memory>

// A small blocking HTTP/1.1 client over a real TCP socket, for tests. Works from any thread (it uses
// waitFor* and no event loop), keeps the connection alive between requests and skips 1xx responses.
struct HttpReply {
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    bool sawContinue = false;

    QByteArray header(const QByteArray &lowerName) const;
    QJsonObject json() const;
};

class TestHttpClient {
public:
    explicit TestHttpClient(quint16 port, const QByteArray &host = "127.0.0.1");

    using Headers = QList<QPair<QByteArray, QByteArray>>;
    HttpReply request(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                      const Headers &headers = {{"Content-Type", "application/json"}});
    HttpReply get(const QByteArray &target) { return request("GET", target, {}, {}); }
    HttpReply post(const QByteArray &target, const QByteArray &body,
                   const QByteArray &contentType = "application/json");
    // Sends raw bytes and reads one response.
    HttpReply raw(const QByteArray &bytes);
    // Reads the next response already on its way.
    HttpReply readReply(int timeoutMs = 15000);
    QTcpSocket &socket() { return *m_socket; }
    bool ensureConnected();

private:
    quint16 m_port;
    QByteArray m_host;
    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
};

QByteArray gzip(const QByteArray &data);

// The example from the ingestion spec, which must work as is.
extern const QByteArray kIssueExample;
// n log items of one service with signal ids prefix0…prefixN-1 and ms-spaced event times.
QByteArray sampleLogs(int n, const QByteArray &service, const QByteArray &prefix = "id");
// n realistic log items tagged with a batch id (kept in attributes) and per-item signal ids.
QByteArray crashBatch(const QByteArray &batch, int n);

// Two hours of NDJSON for one service from 2024-01-01T10:00Z, 120 requests a minute to /pay/N, latency
// lognormal around 200 ms; with creep, +4 ms a minute from 11:00. In bodies of ten minutes each.
QList<QByteArray> latencyCreepTraffic(const QByteArray &service, bool creep, unsigned seed);
