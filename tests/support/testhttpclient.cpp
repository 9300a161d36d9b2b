#include "testhttpclient.h"

#include <QJsonDocument>
#include <QElapsedTimer>

#include <zlib.h>

#include <cmath>
#include <random>

QByteArray HttpReply::header(const QByteArray &lowerName) const
{
    for (const auto &h : headers)
        if (h.first == lowerName)
            return h.second;
    return {};
}

QJsonObject HttpReply::json() const { return QJsonDocument::fromJson(body).object(); }

TestHttpClient::TestHttpClient(quint16 port, const QByteArray &host) : m_port(port), m_host(host) {}

bool TestHttpClient::ensureConnected()
{
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        return true;
    m_socket = std::make_unique<QTcpSocket>();
    m_buffer.clear();
    m_socket->connectToHost(QString::fromLatin1(m_host), m_port);
    return m_socket->waitForConnected(5000);
}

HttpReply TestHttpClient::post(const QByteArray &target, const QByteArray &body, const QByteArray &contentType)
{
    Headers h;
    if (!contentType.isEmpty())
        h.append({"Content-Type", contentType});
    return request("POST", target, body, h);
}

HttpReply TestHttpClient::request(const QByteArray &method, const QByteArray &target, const QByteArray &body,
                                  const Headers &headers)
{
    QByteArray req = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port) + "\r\n";
    for (const auto &h : headers)
        req += h.first + ": " + h.second + "\r\n";
    if (!body.isEmpty() || method == "POST")
        req += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    req += "\r\n";
    req += body;
    return raw(req);
}

HttpReply TestHttpClient::raw(const QByteArray &bytes)
{
    if (!ensureConnected())
        return {};
    m_socket->write(bytes);
    while (m_socket->bytesToWrite() > 0)
        if (!m_socket->waitForBytesWritten(15000))
            break;
    return readReply();
}

HttpReply TestHttpClient::readReply(int timeoutMs)
{
    HttpReply reply;
    QElapsedTimer timer;
    timer.start();
    auto fill = [&]() {
        if (m_socket->bytesAvailable() == 0 && !m_socket->waitForReadyRead(int(std::max<qint64>(1, timeoutMs - timer.elapsed()))))
            return false;
        m_buffer += m_socket->readAll();
        return true;
    };
    for (;;) {
        qsizetype end;
        while ((end = m_buffer.indexOf("\r\n\r\n")) < 0)
            if (!fill())
                return reply;
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        m_buffer.remove(0, end + 4);
        reply.status = lines.value(0).split(' ').value(1).toInt();
        reply.headers.clear();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                reply.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
        }
        if (reply.status >= 100 && reply.status < 200) {
            reply.sawContinue = true;
            continue;
        }
        const qsizetype length = reply.header("content-length").toLongLong();
        while (m_buffer.size() < length)
            if (!fill())
                return reply;
        reply.body = m_buffer.left(length);
        m_buffer.remove(0, length);
        if (reply.header("connection") == "close") {
            m_socket->disconnectFromHost();
            m_socket.reset();
        }
        return reply;
    }
}

QByteArray gzip(const QByteArray &data)
{
    z_stream zs{};
    deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    QByteArray out(qsizetype(deflateBound(&zs, uLong(data.size())) + 32), Qt::Uninitialized);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    zs.avail_in = uInt(data.size());
    zs.next_out = reinterpret_cast<Bytef *>(out.data());
    zs.avail_out = uInt(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(qsizetype(zs.total_out));
    deflateEnd(&zs);
    return out;
}

const QByteArray kIssueExample =
    R"([{"service":"auth","ts":"2024-01-01T12:00:00Z","level":"ERROR","message":"Auth failed latency=850ms status=500","latency_ms":850,"status_code":500}])";

QByteArray sampleLogs(int n, const QByteArray &service, const QByteArray &prefix)
{
    QByteArray body = "[";
    for (int i = 0; i < n; ++i) {
        if (i)
            body += ',';
        body += R"({"service":")" + service + R"(","ts":)" + QByteArray::number(1704110400000LL + i)
                + R"(,"level":"info","message":"request )" + QByteArray::number(i) + R"( served","signal_id":")"
                + prefix + QByteArray::number(i) + "\"}";
    }
    return body + "]";
}

QByteArray crashBatch(const QByteArray &batch, int n)
{
    QByteArray body = "[";
    for (int i = 0; i < n; ++i)
        body += (i ? "," : "") + QByteArray(R"({"service":"crash","level":"info","batch":")") + batch
                + R"(","signal_id":")" + batch + "-" + QByteArray::number(i)
                + R"(","message":"GET /api/orders/12345 200 in 23 ms user=alice trace=abcdef0123456789"})";
    return body + "]";
}

QList<QByteArray> latencyCreepTraffic(const QByteArray &service, bool creep, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    QList<QByteArray> bodies;
    QByteArray body;
    for (int m = 0; m < 120; ++m) {
        const double median = creep && m >= 60 ? 200.0 + 4.0 * (m - 60) : 200.0;
        std::lognormal_distribution<double> latency(std::log(median), 0.25);
        for (int i = 0; i < 120; ++i) {
            const qint64 ms = 1704103200000LL + qint64(m) * 60000 + i * 500;
            const bool error = u(rng) < 0.005;
            body += "{\"service\":\"" + service + "\",\"ts\":" + QByteArray::number(ms) + ",\"level\":\""
                    + (error ? "ERROR" : "INFO") + "\",\"endpoint\":\"/pay/" + QByteArray::number(i)
                    + "\",\"method\":\"POST\",\"status_code\":" + (error ? "502" : "200")
                    + ",\"latency_ms\":" + QByteArray::number(latency(rng), 'f', 1) + ",\"message\":\"payment\"}\n";
        }
        if (m % 10 == 9) {
            bodies << body;
            body.clear();
        }
    }
    return bodies;
}
