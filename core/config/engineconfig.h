#pragma once

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

class QSettings;

namespace fg {

// Effective engine settings. Every key FlowGuard reads lives in kKeys (engineconfig.cpp); each value is
// resolved flag > environment (FLOWGUARD_*) > saved QSettings > default.
struct EngineConfig {
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 4318;
    QString dbPath;
    qint64 retentionSeconds = 7 * 86400; // raw logs and metric points; 0 keeps everything
    qint64 analysisRetentionSeconds = 90 * 86400; // KPI minutes and anomalies
    qint64 maxDbBytes = 10LL * 1000 * 1000 * 1000;
    bool syncFull = false; // PRAGMA synchronous=FULL: survives power loss, not only crashes
    qint64 maxBodyBytes = 16LL * 1024 * 1024;
    qint64 maxDecompressedBytes = 16LL * 1024 * 1024; // a gzip body inflates to at most this (and the body size)
    qint64 maxInflightBytes = 128LL * 1024 * 1024; // bodies + decoded items + write queue
    int maxConnections = 1024;
    int maxWebSocketConnections = 256; // ingest and live channels together
    // Syslog over UDP and TCP on the listen address: 0 off (the default here; --syslog-port defaults to
    // 5514), -1 any free port (tests).
    int syslogPort = 0;
    int maxServices = 10'000; // distinct services kept; items of further new services are refused
    int maxSeries = 100'000;  // distinct metric series (service, name, tags) kept in total
    int maxSeriesPerService = 2'000; // … and per service; items creating further series are refused
    int decodeThreads = 2; // ingest decode workers (DecodePool); more only help with cores to spare
    QStringList allowedOrigins; // extra browser origins allowed to write, e.g. http://localhost:3000
    QStringList allowedHosts;   // extra Host header names the listener answers
    int alertWindowMinutes = 15; // deduplication window of alert notifications
    QString publicUrl;           // base of links in notifications; empty: http(s)://<listen address>
    // TLS on the listener: both paths or neither (absolute); the passphrase file only with a key.
    QString tlsCertPath;
    QString tlsKeyPath;
    QString tlsKeyPassphrasePath;
    bool allowPlaintextSecrets = false; // no keychain: keep channel secrets in a 0600 file (opt-in)
    bool allowPrivateTargets = false;   // channels may reach loopback, link-local and private addresses (opt-in)
    bool requireAuth = false;    // tokens even on loopback
    bool insecureNoAuth = false; // a network listener without tokens (warned at every start)
    // Token buckets per client address and per token; 0 turns them off. Loopback clients are exempt
    // unless rateLimitLoopback, so local agents and benches are never throttled.
    double rateLimitPerSecond = 100;
    int rateLimitBurst = 200;
    bool rateLimitLoopback = false;
    // Channels for headless use, from flags or the environment; their secrets stay in memory.
    QString webhookUrl;
    QString slackWebhookUrl;
    QString smtpUrl;
    QStringList smtpTo;
    QString smtpFrom;
    QHash<QString, QString> sources; // key → where its value came from: flag, env, settings or default

    bool tls() const { return !tlsCertPath.isEmpty(); }
    QJsonObject toJson() const; // for /api/config
};

struct ConfigResult {
    EngineConfig config;
    QStringList errors;   // one line each, naming the key and the source
    QStringList warnings; // said at start, e.g. a secret given as a flag
};

// Flags are the values the user passed on the command line, keyed by option name ("listen", "db", …).
// A secret may also come from the file FLOWGUARD_<NAME>_FILE names (after the flag and FLOWGUARD_<NAME>).
ConfigResult resolveConfig(const QHash<QString, QString> &flags, const QProcessEnvironment &env,
                           QSettings *settings);

QStringList configKeys();
// "ADDR:PORT", with an IPv6 address in brackets.
QString hostPort(const QHostAddress &address, quint16 port);
QString defaultDbPath();

} // namespace fg
