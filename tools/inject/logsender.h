#pragma once

#include <QByteArray>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace fg::inject {

// POSTs JSON log batches to FlowGuard's /api/ingest/logs over keep-alive HTTP/1.1, at most `maxInFlight`
// at a time. A 503 (busy) is retried after its Retry-After and holds back new batches meanwhile, so a
// busy listener slows the sender down instead of reordering its minutes; a broken connection is retried
// with back-off. Bounded: a batch gives up after kMaxAttempts. Lives on the thread that created it.
class LogSender final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogSender)
public:
    struct Stats {
        qint64 requests = 0; // attempts, retries included
        qint64 events = 0;   // in batches handed over
        qint64 accepted = 0;
        qint64 duplicates = 0;
        qint64 rejected = 0; // refused by the listener, or given up on
        qint64 retries = 0;
        QString lastError;
    };

    // pinned: over https, this certificate is accepted whatever its issuer and names (the listener's own,
    // for an in-process demo); others are verified as usual.
    LogSender(const QUrl &baseUrl, int maxInFlight, const QSslCertificate &pinned = QSslCertificate(), QObject *parent = nullptr);

    bool canSend() const { return m_inFlight < m_maxInFlight && m_waiting == 0; }
    bool idle() const { return m_inFlight == 0 && m_waiting == 0; }
    bool awaitingReplies() const { return m_inFlight > 0; } // requests on the wire (retries not counted)
    void send(const QByteArray &body, int events);
    const Stats &stats() const { return m_stats; }

    static constexpr int kMaxAttempts = 10;

signals:
    // A slot is free (or everything is done): the owner may send more.
    void ready();
    // A batch was given up because the listener could not be reached kMaxAttempts times.
    void unreachable();

private:
    void post(const QByteArray &body, int events, int attempt);
    void finished(QNetworkReply *reply, const QByteArray &body, int events, int attempt);
    void retryLater(const QByteArray &body, int events, int attempt, int delayMs);

    QNetworkAccessManager *m_network;
    QUrl m_url;
    QSslCertificate m_pinned;
    int m_maxInFlight;
    int m_inFlight = 0;
    int m_waiting = 0; // batches waiting for a retry
    Stats m_stats;
};

} // namespace fg::inject
