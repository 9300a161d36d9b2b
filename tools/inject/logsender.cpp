#include "logsender.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>

#include <algorithm>

namespace fg::inject {

LogSender::LogSender(const QUrl &baseUrl, int maxInFlight, const QSslCertificate &pinned, QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this)),
      m_url(baseUrl.resolved(QUrl(QStringLiteral("/api/ingest/logs")))), m_pinned(pinned), m_maxInFlight(std::max(1, maxInFlight))
{
    // A loopback listener needs no proxy, and a system proxy would change what is being measured.
    m_network->setProxy(QNetworkProxy::NoProxy);
    connect(m_network, &QNetworkAccessManager::sslErrors, this, [this](QNetworkReply *reply, const QList<QSslError> &errors) {
        if (!m_pinned.isNull() && reply->sslConfiguration().peerCertificate() == m_pinned)
            reply->ignoreSslErrors(errors);
    });
}

void LogSender::send(const QByteArray &body, int events)
{
    m_stats.events += events;
    post(body, events, 1);
}

void LogSender::post(const QByteArray &body, int events, int attempt)
{
    QNetworkRequest request(m_url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setTransferTimeout(30000);
    ++m_inFlight;
    ++m_stats.requests;
    QNetworkReply *reply = m_network->post(request, body);
    connect(reply, &QNetworkReply::finished, this, [this, reply, body, events, attempt] { finished(reply, body, events, attempt); });
}

void LogSender::finished(QNetworkReply *reply, const QByteArray &body, int events, int attempt)
{
    reply->deleteLater();
    --m_inFlight;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 503 || status == 429 || (status == 0 && reply->error() != QNetworkReply::NoError)) {
        if (attempt < kMaxAttempts) {
            // Retry-After is in whole seconds; without it (a broken connection) back off a little more each time.
            const int after = reply->rawHeader("Retry-After").toInt();
            retryLater(body, events, attempt + 1, after > 0 ? std::min(after, 30) * 1000 : 250 * attempt);
            return;
        }
        m_stats.rejected += events;
        m_stats.lastError = status ? QStringLiteral("HTTP %1 after %2 attempts").arg(status).arg(attempt)
                                   : reply->errorString();
        if (!status)
            emit unreachable();
    } else {
        const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
        if (status == 202 || status == 200) {
            m_stats.accepted += answer.value(QStringLiteral("accepted")).toInteger();
            m_stats.duplicates += answer.value(QStringLiteral("duplicates")).toInteger();
            m_stats.rejected += answer.value(QStringLiteral("rejected")).toInteger();
        } else {
            m_stats.rejected += events;
            m_stats.lastError = QStringLiteral("HTTP %1: %2").arg(status).arg(answer.value(QStringLiteral("message")).toString());
        }
    }
    emit ready();
}

void LogSender::retryLater(const QByteArray &body, int events, int attempt, int delayMs)
{
    ++m_waiting;
    ++m_stats.retries;
    QTimer::singleShot(delayMs, this, [this, body, events, attempt] {
        --m_waiting;
        post(body, events, attempt);
    });
}

} // namespace fg::inject
