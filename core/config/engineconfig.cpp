#include "engineconfig.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSettings>
#include <QStandardPaths>
#include <QUrl>

#include "alerting/delivery/targetpolicy.h"
#include "units.h"

namespace fg {

namespace {

struct Key {
    const char *name;
    const char *env;
    const char *defaultValue;
    // Secrets come from flags or the environment only (never from saved settings) and are redacted.
    bool secret = false;
};

// All configuration keys in one place: name (flag and QSettings key), environment variable, default.
const Key kKeys[] = {
    {"listen", "FLOWGUARD_LISTEN", "127.0.0.1:4318"},
    {"tls-cert", "FLOWGUARD_TLS_CERT", ""},
    {"tls-key", "FLOWGUARD_TLS_KEY", ""},
    {"tls-key-passphrase-file", "FLOWGUARD_TLS_KEY_PASSPHRASE_FILE", ""},
    {"db", "FLOWGUARD_DB", ""},
    {"retention", "FLOWGUARD_RETENTION", "7d"},
    {"analysis-retention", "FLOWGUARD_ANALYSIS_RETENTION", "90d"},
    {"max-db-size", "FLOWGUARD_MAX_DB_SIZE", "10GB"},
    {"sync", "FLOWGUARD_SYNC", "normal"},
    {"max-body", "FLOWGUARD_MAX_BODY", "16MiB"},
    {"max-inflight", "FLOWGUARD_MAX_INFLIGHT", "128MiB"},
    {"max-services", "FLOWGUARD_MAX_SERVICES", "10000"},
    {"max-series", "FLOWGUARD_MAX_SERIES", "100000"},
    {"max-series-per-service", "FLOWGUARD_MAX_SERIES_PER_SERVICE", "2000"},
    {"syslog-port", "FLOWGUARD_SYSLOG_PORT", "5514"},
    {"decode-threads", "FLOWGUARD_DECODE_THREADS", "2"},
    {"allowed-origins", "FLOWGUARD_ALLOWED_ORIGINS", ""},
    {"allowed-hosts", "FLOWGUARD_ALLOWED_HOSTS", ""},
    {"alert-window", "FLOWGUARD_ALERT_WINDOW_MIN", "15"},
    {"public-url", "FLOWGUARD_PUBLIC_URL", ""},
    {"allow-plaintext-secrets", "FLOWGUARD_ALLOW_PLAINTEXT_SECRETS", "false"},
    {"allow-private-targets", "FLOWGUARD_ALLOW_PRIVATE_TARGETS", "false"},
    {"require-auth", "FLOWGUARD_REQUIRE_AUTH", "false"},
    {"insecure-no-auth", "FLOWGUARD_INSECURE_NO_AUTH", "false"},
    {"rate-limit", "FLOWGUARD_RATE_LIMIT", "100"},
    {"rate-burst", "FLOWGUARD_RATE_BURST", "200"},
    {"rate-limit-loopback", "FLOWGUARD_RATE_LIMIT_LOOPBACK", "false"},
    {"webhook-url", "FLOWGUARD_WEBHOOK_URL", "", true},
    {"slack-webhook-url", "FLOWGUARD_SLACK_WEBHOOK_URL", "", true},
    {"smtp-url", "FLOWGUARD_SMTP_URL", "", true},
    {"smtp-to", "FLOWGUARD_SMTP_TO", ""},
    {"smtp-from", "FLOWGUARD_SMTP_FROM", ""},
};

bool isUrl(const QString &text, std::initializer_list<const char *> schemes)
{
    const QUrl u(text, QUrl::StrictMode);
    if (!u.isValid() || u.host().isEmpty())
        return false;
    for (const char *s : schemes)
        if (u.scheme().compare(QLatin1String(s), Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

bool parseListen(const QString &text, QHostAddress &addr, quint16 &port)
{
    const int colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint p = text.mid(colon + 1).toUInt(&ok);
    if (!ok || p > 65535)
        return false;
    if (host == QLatin1String("localhost"))
        addr = QHostAddress(QHostAddress::LocalHost);
    else if (!addr.setAddress(host))
        return false;
    port = quint16(p);
    return true;
}

QStringList splitList(const QString &v)
{
    QStringList out;
    for (const QString &part : v.split(QLatin1Char(','), Qt::SkipEmptyParts))
        out << part.trimmed();
    return out;
}

} // namespace

QString defaultDbPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/flowguard.db");
}

QString hostPort(const QHostAddress &address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]").arg(address.toString())
                                                                              : address.toString();
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

QStringList configKeys()
{
    QStringList keys;
    for (const Key &k : kKeys)
        keys << QString::fromLatin1(k.name);
    return keys;
}

ConfigResult resolveConfig(const QHash<QString, QString> &flags, const QProcessEnvironment &env, QSettings *settings)
{
    ConfigResult result;
    EngineConfig &c = result.config;
    for (const Key &k : kKeys) {
        const QString name = QString::fromLatin1(k.name);
        QString value = QString::fromLatin1(k.defaultValue);
        QString source = QStringLiteral("default");
        if (flags.contains(name)) {
            value = flags.value(name);
            source = QStringLiteral("flag");
        } else if (env.contains(QString::fromLatin1(k.env))) {
            value = env.value(QString::fromLatin1(k.env));
            source = QStringLiteral("env");
        } else if (k.secret && env.contains(QString::fromLatin1(k.env) + QStringLiteral("_FILE"))) {
            // A file keeps the secret out of the environment and the command line, e.g. a container secret.
            const QString path = env.value(QString::fromLatin1(k.env) + QStringLiteral("_FILE"));
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly) || file.size() > 64 * 1024) {
                result.errors << QStringLiteral("%1_FILE: cannot read the secret from '%2'%3")
                                     .arg(QString::fromLatin1(k.env), path,
                                          file.error() == QFileDevice::NoError ? QStringLiteral(" (larger than 64 KiB)")
                                                                                : QStringLiteral(": ") + file.errorString());
                continue;
            }
            value = QString::fromUtf8(file.readAll()).trimmed();
            source = QStringLiteral("file");
        } else if (!k.secret && settings && settings->contains(name)) {
            value = settings->value(name).toString();
            source = QStringLiteral("settings");
        }
        c.sources.insert(name, source);
        // Every local user can read a process's command line (/proc/PID/cmdline, ps).
        if (k.secret && source == QLatin1String("flag"))
            result.warnings << QStringLiteral("--%1 is visible to every user of this machine in the process list; set "
                                              "%2 or %2_FILE (a file holding it) instead")
                                   .arg(name, QString::fromLatin1(k.env));
        const QString where = source == QLatin1String("env")    ? QString::fromLatin1(k.env)
                              : source == QLatin1String("file") ? QString::fromLatin1(k.env) + QStringLiteral("_FILE")
                              : source == QLatin1String("flag") ? QStringLiteral("--") + name
                                                                : name + QStringLiteral(" (") + source + QLatin1Char(')');
        auto bad = [&](const QString &expected) {
            result.errors << QStringLiteral("invalid value '%1' for %2: expected %3").arg(value, where, expected);
        };
        const std::string utf8 = value.toStdString();
        if (name == QLatin1String("listen")) {
            if (!parseListen(value, c.listenAddress, c.listenPort))
                bad(QStringLiteral("ADDR:PORT, e.g. 127.0.0.1:4318"));
        } else if (name == QLatin1String("tls-cert") || name == QLatin1String("tls-key")
                   || name == QLatin1String("tls-key-passphrase-file")) {
            QString &path = name == QLatin1String("tls-cert")  ? c.tlsCertPath
                            : name == QLatin1String("tls-key") ? c.tlsKeyPath
                                                               : c.tlsKeyPassphrasePath;
            path = value.isEmpty() ? QString() : QDir::cleanPath(QDir::current().absoluteFilePath(value));
        } else if (name == QLatin1String("db")) {
            c.dbPath = value.isEmpty() ? defaultDbPath() : QDir::cleanPath(QDir::current().absoluteFilePath(value));
        } else if (name == QLatin1String("retention")) {
            if (auto s = parseDurationSeconds(utf8))
                c.retentionSeconds = *s;
            else
                bad(QStringLiteral("a duration such as 7d, 24h or off"));
        } else if (name == QLatin1String("analysis-retention")) {
            if (auto s = parseDurationSeconds(utf8))
                c.analysisRetentionSeconds = *s;
            else
                bad(QStringLiteral("a duration such as 90d or off"));
        } else if (name == QLatin1String("max-db-size")) {
            auto b = parseByteSize(utf8);
            if (b && *b >= 1024 * 1024)
                c.maxDbBytes = *b;
            else
                bad(QStringLiteral("a size of at least 1MB, e.g. 10GB"));
        } else if (name == QLatin1String("sync")) {
            const QString v = value.toLower();
            if (v == QLatin1String("normal") || v == QLatin1String("full"))
                c.syncFull = v == QLatin1String("full");
            else
                bad(QStringLiteral("normal or full"));
        } else if (name == QLatin1String("max-body")) {
            auto b = parseByteSize(utf8);
            if (b && *b >= 1024) {
                c.maxBodyBytes = *b;
                c.maxDecompressedBytes = std::max<qint64>(c.maxDecompressedBytes, *b);
            } else {
                bad(QStringLiteral("a size of at least 1KiB, e.g. 16MiB"));
            }
        } else if (name == QLatin1String("max-inflight")) {
            auto b = parseByteSize(utf8);
            if (b && *b >= 1024 * 1024)
                c.maxInflightBytes = *b;
            else
                bad(QStringLiteral("a size of at least 1MiB, e.g. 128MiB"));
        } else if (name == QLatin1String("max-services") || name == QLatin1String("max-series")
                   || name == QLatin1String("max-series-per-service")) {
            int &limit = name == QLatin1String("max-services") ? c.maxServices
                         : name == QLatin1String("max-series") ? c.maxSeries
                                                               : c.maxSeriesPerService;
            bool ok = false;
            const int n = value.toInt(&ok);
            if (ok && n >= 1 && n <= 1'000'000)
                limit = n;
            else
                bad(QStringLiteral("a whole number from 1 to 1000000"));
        } else if (name == QLatin1String("syslog-port")) {
            bool ok = false;
            const int port = value.toInt(&ok);
            if (ok && port >= 0 && port <= 65535)
                c.syslogPort = port;
            else
                bad(QStringLiteral("a port from 1 to 65535, or 0 for no syslog listener"));
        } else if (name == QLatin1String("decode-threads")) {
            bool ok = false;
            const int n = value.toInt(&ok);
            if (ok && n >= 1 && n <= 16)
                c.decodeThreads = n;
            else
                bad(QStringLiteral("a whole number from 1 to 16"));
        } else if (name == QLatin1String("allowed-origins")) {
            c.allowedOrigins = splitList(value);
        } else if (name == QLatin1String("allowed-hosts")) {
            c.allowedHosts = splitList(value);
        } else if (name == QLatin1String("alert-window")) {
            bool ok = false;
            const int minutes = value.toInt(&ok);
            if (ok && minutes >= 1 && minutes <= 24 * 60)
                c.alertWindowMinutes = minutes;
            else
                bad(QStringLiteral("whole minutes from 1 to 1440"));
        } else if (name == QLatin1String("public-url")) {
            if (value.isEmpty() || isUrl(value, {"http", "https"}))
                c.publicUrl = value.endsWith(QLatin1Char('/')) ? value.chopped(1) : value;
            else
                bad(QStringLiteral("an http:// or https:// URL under which this FlowGuard is reached"));
        } else if (name == QLatin1String("allow-plaintext-secrets") || name == QLatin1String("allow-private-targets")
                   || name == QLatin1String("require-auth") || name == QLatin1String("insecure-no-auth")
                   || name == QLatin1String("rate-limit-loopback")) {
            bool &flag = name == QLatin1String("allow-plaintext-secrets") ? c.allowPlaintextSecrets
                         : name == QLatin1String("allow-private-targets") ? c.allowPrivateTargets
                         : name == QLatin1String("require-auth")          ? c.requireAuth
                         : name == QLatin1String("insecure-no-auth")      ? c.insecureNoAuth
                                                                          : c.rateLimitLoopback;
            const QString v = value.toLower();
            if (v == QLatin1String("true") || v == QLatin1String("1") || v == QLatin1String("yes") || v.isEmpty())
                flag = true;
            else if (v == QLatin1String("false") || v == QLatin1String("0") || v == QLatin1String("no"))
                flag = false;
            else
                bad(QStringLiteral("true or false"));
        } else if (name == QLatin1String("rate-limit")) {
            bool ok = false;
            const double rate = value.toDouble(&ok);
            if (ok && rate >= 0 && rate <= 1'000'000)
                c.rateLimitPerSecond = rate;
            else
                bad(QStringLiteral("requests a second from 0 (off) to 1000000, e.g. 100"));
        } else if (name == QLatin1String("rate-burst")) {
            bool ok = false;
            const int burst = value.toInt(&ok);
            if (ok && burst >= 1 && burst <= 1'000'000)
                c.rateLimitBurst = burst;
            else
                bad(QStringLiteral("a whole number of requests from 1 to 1000000"));
        } else if (name == QLatin1String("webhook-url") || name == QLatin1String("slack-webhook-url")) {
            if (!value.isEmpty() && !isUrl(value, {"http", "https"}))
                bad(QStringLiteral("an http:// or https:// URL"));
            else
                (name == QLatin1String("webhook-url") ? c.webhookUrl : c.slackWebhookUrl) = value;
        } else if (name == QLatin1String("smtp-url")) {
            if (!value.isEmpty() && !isUrl(value, {"smtp", "smtps"}))
                bad(QStringLiteral("smtp://[user:password@]host[:port] or smtps://…"));
            else
                c.smtpUrl = value;
        } else if (name == QLatin1String("smtp-to")) {
            c.smtpTo = splitList(value);
        } else if (name == QLatin1String("smtp-from")) {
            c.smtpFrom = value;
        }
    }
    // Never half of TLS: a certificate without its key (or the reverse) is a mistake, not plain HTTP.
    auto origin = [&](const char *key, const char *env) {
        const QString source = c.sources.value(QLatin1String(key));
        return source == QLatin1String("flag") ? QStringLiteral("--") + QLatin1String(key)
               : source == QLatin1String("env") ? QLatin1String(env)
                                                : QLatin1String(key) + QStringLiteral(" (settings)");
    };
    if (c.tlsCertPath.isEmpty() != c.tlsKeyPath.isEmpty())
        result.errors << (c.tlsKeyPath.isEmpty()
                              ? QStringLiteral("%1 needs --tls-key (FLOWGUARD_TLS_KEY): the private key of that certificate")
                                    .arg(origin("tls-cert", "FLOWGUARD_TLS_CERT"))
                              : QStringLiteral("%1 needs --tls-cert (FLOWGUARD_TLS_CERT): the certificate of that key")
                                    .arg(origin("tls-key", "FLOWGUARD_TLS_KEY")));
    else if (!c.tlsKeyPassphrasePath.isEmpty() && c.tlsKeyPath.isEmpty())
        result.errors << QStringLiteral("%1 is given without --tls-cert and --tls-key")
                             .arg(origin("tls-key-passphrase-file", "FLOWGUARD_TLS_KEY_PASSPHRASE_FILE"));
    if (!c.smtpUrl.isEmpty() && c.smtpTo.isEmpty())
        result.errors << QStringLiteral("FLOWGUARD_SMTP_TO / --smtp-to: required with an SMTP URL (the recipients)");
    // Said at start rather than only in each failed delivery.
    for (const auto &[key, url] : {std::pair{"webhook-url", c.webhookUrl}, std::pair{"slack-webhook-url", c.slackWebhookUrl},
                                   std::pair{"smtp-url", c.smtpUrl}}) {
        const QString why = c.allowPrivateTargets || url.isEmpty() ? QString() : forbiddenTargetUrl(url);
        if (!why.isEmpty())
            result.warnings << QStringLiteral("%1: deliveries will be refused (%2; %3)").arg(QLatin1String(key), why, privateTargetsHint());
    }
    return result;
}

QJsonObject EngineConfig::toJson() const
{
    QJsonObject from;
    for (auto it = sources.cbegin(); it != sources.cend(); ++it)
        from.insert(it.key(), it.value());
    // Secret values never leave: only whether each is set.
    auto secret = [](const QString &v) { return v.isEmpty() ? QJsonValue() : QJsonValue(QStringLiteral("(set, redacted)")); };
    return QJsonObject{
        {QStringLiteral("sources"), from},
        {QStringLiteral("listen"), hostPort(listenAddress, listenPort)},
        {QStringLiteral("tls"), tls()},
        {QStringLiteral("tls_cert"), tlsCertPath},
        {QStringLiteral("tls_key"), tlsKeyPath},
        {QStringLiteral("tls_key_passphrase_file"), tlsKeyPassphrasePath},
        {QStringLiteral("db"), dbPath},
        {QStringLiteral("retention_seconds"), retentionSeconds},
        {QStringLiteral("analysis_retention_seconds"), analysisRetentionSeconds},
        {QStringLiteral("max_db_size_bytes"), maxDbBytes},
        {QStringLiteral("sync"), syncFull ? QStringLiteral("full") : QStringLiteral("normal")},
        {QStringLiteral("max_body_bytes"), maxBodyBytes},
        {QStringLiteral("max_decompressed_bytes"), maxDecompressedBytes},
        {QStringLiteral("max_inflight_bytes"), maxInflightBytes},
        {QStringLiteral("max_services"), maxServices},
        {QStringLiteral("max_series"), maxSeries},
        {QStringLiteral("max_series_per_service"), maxSeriesPerService},
        {QStringLiteral("max_connections"), maxConnections},
        {QStringLiteral("syslog_port"), syslogPort},
        {QStringLiteral("decode_threads"), decodeThreads},
        {QStringLiteral("allowed_origins"), QJsonArray::fromStringList(allowedOrigins)},
        {QStringLiteral("allowed_hosts"), QJsonArray::fromStringList(allowedHosts)},
        {QStringLiteral("alert_window_minutes"), alertWindowMinutes},
        {QStringLiteral("public_url"), publicUrl},
        {QStringLiteral("allow_plaintext_secrets"), allowPlaintextSecrets},
        {QStringLiteral("allow_private_targets"), allowPrivateTargets},
        {QStringLiteral("require_auth"), requireAuth},
        {QStringLiteral("insecure_no_auth"), insecureNoAuth},
        {QStringLiteral("rate_limit_per_second"), rateLimitPerSecond},
        {QStringLiteral("rate_limit_burst"), rateLimitBurst},
        {QStringLiteral("rate_limit_loopback"), rateLimitLoopback},
        {QStringLiteral("webhook_url"), secret(webhookUrl)},
        {QStringLiteral("slack_webhook_url"), secret(slackWebhookUrl)},
        {QStringLiteral("smtp_url"), secret(smtpUrl)},
        {QStringLiteral("smtp_to"), QJsonArray::fromStringList(smtpTo)},
        {QStringLiteral("smtp_from"), smtpFrom},
    };
}

} // namespace fg
