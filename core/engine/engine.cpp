#include "engine.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPointer>
#include <QJsonDocument>

#include <set>

#include "alerting/alertevaluator.h"
#include "alerting/delivery/desktopnotification.h"
#include "alerting/notificationdispatcher.h"
#include "analysis/analysisworker.h"
#include "api/livefeed.h"
#include "api/sysloglistener.h"
#include "api/apirouter.h"
#include "api/queryrunner.h"
#include "api/apierror.h"
#include "auth/tokenregistry.h"
#include "ingest/decodepool.h"
#include "ingest/httpresponder.h"
#include "ingest/httpserver.h"
#include "ingest/inflightbudget.h"
#include "ingest/listenertls.h"
#include "ingest/seriesregistry.h"
#include "ingest/serviceregistry.h"
#include "store/databaselock.h"
#include "store/integritychecker.h"
#include "store/sqlitestorereader.h"
#include "store/sqlitestorewriter.h"

namespace fg {

Engine::Engine(EngineConfig config, QObject *parent) : QObject(parent), m_config(std::move(config))
{
    qRegisterMetaType<fg::EngineStats>();
    m_listenerThread.setObjectName(QStringLiteral("fg-listener"));
    m_statsTimer.setInterval(1000);
    connect(&m_statsTimer, &QTimer::timeout, this, &Engine::publishStats);
}

Engine::~Engine() { stop(); }

bool Engine::loadAuth(QString *error)
{
    const TokenFile file(TokenFile::pathFor(m_config.dbPath));
    m_tokenStamp = file.stamp(); // before reading: a change in between is picked up by the first poll
    auto tokens = file.load(error);
    if (!tokens)
        return false;
    m_auth = decideAuth(m_config.listenAddress, m_config.requireAuth, m_config.insecureNoAuth, int(tokens->size()));
    if (!m_auth.error.isEmpty()) {
        *error = m_auth.error;
        return false;
    }
    m_startTokens = std::move(*tokens);
    return true;
}

bool Engine::loadTls(QString *error)
{
    if (!m_config.tls())
        return true;
    m_tls = loadServerTls({m_config.tlsCertPath, m_config.tlsKeyPath, m_config.tlsKeyPassphrasePath}, error, &m_tlsWarnings);
    return m_tls.has_value();
}

bool Engine::start(QString *error)
{
    if (!loadAuth(error) || !loadTls(error))
        return false;
    const QFileInfo dbInfo(m_config.dbPath);
    const bool newDirectory = !QDir(dbInfo.absolutePath()).exists();
    if (!QDir().mkpath(dbInfo.absolutePath())) {
        *error = QStringLiteral("cannot create the database directory %1").arg(dbInfo.absolutePath());
        return false;
    }
    if (newDirectory) // ours: only the owner reads logs, alerts and secrets
        QFile::setPermissions(dbInfo.absolutePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    m_lock = std::make_unique<QLockFile>(m_config.dbPath + QStringLiteral(".lock"));
    m_lock->setStaleLockTime(0); // stale only when the holder's process is gone
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host, app;
        if (m_lock->error() == QLockFile::LockFailedError && m_lock->getLockInfo(&pid, &host, &app))
            *error = QStringLiteral("database %1 is already in use by another FlowGuard instance (pid %2)")
                         .arg(m_config.dbPath)
                         .arg(pid);
        else
            *error = QStringLiteral("database %1 is not writable (cannot create %1.lock)").arg(m_config.dbPath);
        m_lock.reset();
        return false;
    }
    bool busy = false;
    std::string lockError;
    m_fileLock = DatabaseLock::acquire(m_config.dbPath.toStdString(), &busy, &lockError);
    if (!m_fileLock) {
        *error = busy ? QStringLiteral("database %1 is already in use by another FlowGuard instance (through another "
                                       "path to the same file)")
                            .arg(m_config.dbPath)
                      : QStringLiteral("database %1 cannot be opened: %2").arg(m_config.dbPath, QString::fromStdString(lockError));
        m_lock.reset();
        return false;
    }
    StoreOptions options;
    options.path = m_config.dbPath.toStdString();
    options.syncFull = m_config.syncFull;
    options.retentionSeconds = m_config.retentionSeconds;
    options.analysisRetentionSeconds = m_config.analysisRetentionSeconds;
    options.maxDbBytes = m_config.maxDbBytes;
    auto writer = std::make_unique<SqliteStoreWriter>(options);
    m_analysis = std::make_unique<AnalysisWorker>(
        writer.get(), KpiAggregator::Limits{}, AnalysisWorker::kDefaultHandOffBytes, AnalysisWorker::kDefaultRouteBudgetBytes,
        [path = options.path] { return std::make_unique<SqliteStoreReader>(path); });
    m_liveFeed = std::make_unique<LiveFeed>();
    writer->setCommittedObserver([analysis = m_analysis.get(), feed = m_liveFeed.get()](IngestBatch &&batch) {
        feed->publish(batch);
        analysis->enqueue(std::move(batch));
    });
    std::string storeError;
    const bool opened = writer->start(&storeError);
    m_writer = std::move(writer);
    if (!opened) {
        *error = QStringLiteral("database %1 cannot be opened for writing: %2")
                     .arg(m_config.dbPath, QString::fromStdString(storeError));
        m_writer.reset();
        m_analysis.reset();
        m_fileLock.reset();
        m_lock.reset();
        return false;
    }
    try {
        // Templates seen before this start are not new.
        SqliteStoreReader reader(options.path);
        for (const StoredTemplate &t : reader.templates({}, Level::Unknown, 0, 0, 0))
            m_analysis->restoreTemplate(t.service, t.id, t.text);
        if (const auto stored = reader.setting("tags")) {
            QString field, message;
            if (auto rules = TagRules::rulesFromJson(QJsonDocument::fromJson(QByteArray::fromStdString(*stored)).object(),
                                                     &field, &message))
                m_tagRules.set(std::make_shared<const TagRules>(std::move(*rules)));
        }
        m_analysis->setDetectionSettings(DetectionSettings::stored(reader.setting("detection")));
        // Where analysis stopped: rows committed after it (a crash, a backlog at shutdown) are analysed
        // first. A database from before positions were kept starts at its newest rows.
        const StoreStats &stored = m_writer->stats();
        const QJsonObject position =
            QJsonDocument::fromJson(QByteArray::fromStdString(reader.setting(AnalysisWorker::kPositionKey).value_or("")))
                .object();
        m_analysis->resumeAfter(position.value(QStringLiteral("logs")).toInteger(stored.lastLogId),
                                position.value(QStringLiteral("points")).toInteger(stored.lastPointId),
                                stored.lastLogId, stored.lastPointId);
        m_services = std::make_unique<ServiceRegistry>(m_config.maxServices);
        for (const ServiceInfo &s : reader.services()) {
            m_services->seed(s.name);
            if (s.lastReceived)
                m_analysis->restoreLastReceived(s.name, s.lastReceived);
        }
        m_series = std::make_unique<SeriesRegistry>(m_config.maxSeriesPerService, m_config.maxSeries);
        reader.forEachMetricSeries([this](const std::string &service, const std::string &name, const std::string &tags) {
            m_series->seed(service, name, tags);
        });
        restoreChannels(reader);
        restoreAlerting(reader);
    } catch (const std::exception &e) {
        *error = QStringLiteral("database %1 cannot be read: %2").arg(m_config.dbPath, QString::fromUtf8(e.what()));
        stop();
        return false;
    }
    m_analysis->start();
    m_integrity = std::make_unique<IntegrityChecker>(options.path);
    m_budget = std::make_unique<InflightBudget>(m_config.maxInflightBytes);
    m_queries = std::make_unique<QueryRunner>([path = options.path] { return std::make_unique<SqliteStoreReader>(path); });
    m_decoders = std::make_unique<DecodePool>(m_config.decodeThreads);
    if (!startListener(error)) {
        stop();
        return false;
    }
    // After the listener, whose bound port the links in notifications need; queued notifications wait
    // in the outbox until then.
    NotificationDispatcher::Options delivery;
    delivery.baseUrl = publicUrl().toStdString();
    delivery.allowPrivateTargets = m_config.allowPrivateTargets;
    m_dispatcher = std::make_unique<NotificationDispatcher>(
        m_writer.get(), [path = options.path] { return std::make_unique<SqliteStoreReader>(path); }, &m_channels, delivery,
        m_desktopNotifier ? m_desktopNotifier : [](const OutgoingNotification &n) {
            return sendDesktopNotification(notificationTitle(n), desktopBody(n));
        });
    m_dispatcher->start();
    m_running = true;
    m_statsTimer.start();
    // Said once the engine is up, so that a failed start stays one line.
    if (!m_secretsNotice.isEmpty())
        qWarning("flowguard: %s", qPrintable(m_secretsNotice));
    if (!m_auth.warning.isEmpty())
        qWarning("flowguard: %s", qPrintable(m_auth.warning));
    for (const QString &w : std::as_const(m_tlsWarnings))
        qWarning("flowguard: %s", qPrintable(w));
    if (!m_tls && !m_config.listenAddress.isLoopback())
        qWarning("flowguard: listening on %s without TLS: tokens and data cross the network in clear text; give "
                 "--tls-cert and --tls-key",
                 qPrintable(listenAddress()));
    return true;
}

void Engine::callApi(const QByteArray &method, const QByteArray &target, const QByteArray &body, QObject *context,
                     std::function<void(const HttpResponse &)> done)
{
    HttpRequest request;
    request.method = method;
    request.target = target;
    const qsizetype q = target.indexOf('?');
    request.path = q < 0 ? target : target.left(q);
    request.query = q < 0 ? QByteArray() : target.mid(q + 1);
    request.headers = {{"host", "127.0.0.1:" + QByteArray::number(m_port)}, {"content-type", "application/json"}};
    request.body = body;
    request.contentLength = body.size();
    request.receivedAt = nowNs();
    request.inProcess = true; // the window's own calls need no token and are not rate limited
    QPointer<QObject> guard(context);
    auto slot = std::make_shared<ResponseSlot>([guard, done = std::move(done)](HttpResponse response) {
        if (guard)
            QMetaObject::invokeMethod(guard.data(), [guard, done, r = std::move(response)] {
                if (guard)
                    done(r);
            }, Qt::QueuedConnection);
    });
    if (!m_running || !m_listenerContext)
        return slot->send(0, apiError(503, QStringLiteral("FlowGuard is not running")));
    QMetaObject::invokeMethod(
        m_listenerContext,
        [router = m_router, request = std::move(request), slot]() mutable {
            const HttpResponder responder(slot, 0);
            if (auto refused = router->admit(request))
                return responder.send(*refused);
            router->handle(std::move(request), responder);
        },
        Qt::QueuedConnection);
}

QString Engine::publicUrl() const
{
    // The bound port (the configured one may be 0).
    return m_config.publicUrl.isEmpty() ? baseUrl() : m_config.publicUrl;
}

void Engine::restoreChannels(StoreReader &reader)
{
    // Secrets: the keychain unless the user chose a plaintext file; without either, channels that need a
    // URL cannot be saved (the API says why) and the environment's channels still work.
    if (m_config.allowPlaintextSecrets) {
        const QString path = m_config.dbPath + QStringLiteral(".secrets.json");
        m_secrets = makePlaintextSecretStore(path);
        m_secretsNotice = QStringLiteral("channel secrets are kept in the plaintext file %1 (mode 0600), as "
                                         "--allow-plaintext-secrets asks; prefer a keychain")
                              .arg(path);
    } else {
        m_secrets = makeKeychainSecretStore(m_config.dbPath);
        QString why;
        if (!m_secrets->available(&why)) {
            m_secretsProblem = why + QStringLiteral("; channels with URLs cannot be saved. Use FLOWGUARD_WEBHOOK_URL, "
                                                    "FLOWGUARD_SLACK_WEBHOOK_URL or FLOWGUARD_SMTP_URL for this run, "
                                                    "or --allow-plaintext-secrets");
            m_secretsNotice = m_secretsProblem;
        }
    }
    std::vector<Channel> channels;
    const auto documents = reader.channelDocuments();
    for (const auto &[id, doc] : documents) {
        const QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(doc)).object();
        std::string unused;
        QString field, message;
        auto c = Channel::fromJson(json, nullptr, &unused, &field, &message, true);
        if (!c) {
            qWarning("flowguard: channel %lld skipped: %s: %s", static_cast<long long>(id), qPrintable(field), qPrintable(message));
            continue;
        }
        c->id = id;
        if (c->needsSecret() && m_secretsProblem.isEmpty()) {
            QString error;
            if (auto secret = m_secrets->read(channelSecretKey(id), &error))
                m_channels.setSecret(id, *secret);
            else if (!error.isEmpty())
                qWarning("flowguard: the secret of channel %lld could not be read: %s", static_cast<long long>(id), qPrintable(error));
        }
        channels.push_back(std::move(*c));
    }
    if (documents.empty() && desktopNotificationsAvailable()) {
        // A desktop session: notify on the desktop from the first alert on.
        Channel desktop;
        desktop.id = std::max<std::int64_t>(reader.maxAlertingId(), 5) + 1;
        desktop.type = Channel::Type::Desktop;
        desktop.name = "desktop";
        auto job = std::make_unique<WriteJob>();
        job->channels.emplace_back(desktop.id, QJsonDocument(desktop.storedJson()).toJson(QJsonDocument::Compact).toStdString());
        m_writer->submit(std::move(job));
        channels.push_back(desktop);
    }
    // Channels from flags and the environment: fixed negative ids (stable across restarts, so their
    // outbox rows still find them), secrets in memory only.
    auto fromEnvironment = [&](std::int64_t id, Channel::Type type, const char *name, const QString &url) {
        if (url.isEmpty())
            return;
        Channel c;
        c.id = id;
        c.type = type;
        c.name = name;
        c.fromEnvironment = true;
        if (type == Channel::Type::Email) {
            for (const QString &to : m_config.smtpTo)
                c.to.push_back(to.toStdString());
            c.from = m_config.smtpFrom.isEmpty() ? "flowguard@localhost" : m_config.smtpFrom.toStdString();
        }
        m_channels.setSecret(id, url.toStdString());
        channels.push_back(std::move(c));
    };
    fromEnvironment(-1, Channel::Type::Webhook, "webhook", m_config.webhookUrl);
    fromEnvironment(-2, Channel::Type::Slack, "slack", m_config.slackWebhookUrl);
    fromEnvironment(-3, Channel::Type::Email, "email", m_config.smtpUrl);
    m_channels.set(std::move(channels));
}

void Engine::restoreAlerting(StoreReader &reader)
{
    // Rules: the stored documents, or the built-ins on a new database. A document that no longer
    // validates is skipped with a warning rather than blocking the start.
    std::vector<AlertRule> rules;
    const auto documents = reader.ruleDocuments();
    const std::vector<AlertRule> builtins = AlertRule::builtins();
    for (const auto &[id, doc] : documents) {
        const QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(doc)).object();
        AlertRule base;
        base.id = id;
        for (const AlertRule &b : builtins)
            if (b.id == id && json.value(QStringLiteral("kind")).toString().toStdString() == ruleKindName(b.kind))
                base = b;
        QString field, message;
        if (auto rule = AlertRule::fromJson(json, &base, &field, &message))
            rules.push_back(std::move(*rule));
        else
            qWarning("alert rule %lld skipped: %s: %s", static_cast<long long>(id), qPrintable(field), qPrintable(message));
    }
    if (documents.empty()) {
        rules = builtins;
        auto job = std::make_unique<WriteJob>();
        for (const AlertRule &r : rules)
            job->rules.emplace_back(r.id, QJsonDocument(r.toJson()).toJson(QJsonDocument::Compact).toStdString());
        m_writer->submit(std::move(job));
    }
    m_rules.set(std::move(rules));
    std::int64_t next = std::max<std::int64_t>(reader.maxAlertingId(), 5) + 1;
    for (const Channel &c : *m_channels.current())
        next = std::max(next, c.id + 1); // a channel seeded just now is not read back yet
    m_ids.reserveThrough(next - 1);
    AlertEvaluator::Options options;
    options.dedupWindowMinutes = m_config.alertWindowMinutes;
    m_alerts = std::make_unique<AlertEvaluator>(&m_rules, &m_channels, &m_ids, options);
    std::vector<Silence> silences;
    for (const std::string &doc : reader.silenceDocuments(nowNs())) {
        const QJsonObject json = QJsonDocument::fromJson(QByteArray::fromStdString(doc)).object();
        QJsonObject input = json;
        for (const char *k : {"id", "created_at"})
            input.remove(QString::fromLatin1(k));
        QString field, message;
        if (auto s = Silence::fromJson(input, nowNs(), &field, &message)) {
            s->id = json.value(QStringLiteral("id")).toInteger();
            silences.push_back(std::move(*s));
        }
    }
    m_alerts->setSilences(std::move(silences));
    for (const auto &[incident, openAlerts] : reader.latestIncidents())
        m_alerts->restoreIncident(incident, openAlerts);
    AlertQuery open;
    open.state = "open";
    open.window.to = kMaxTimeNs;
    open.window.limit = 1000;
    const std::vector<Alert> stillOpen = reader.alerts(open).items;
    std::set<std::int64_t> notified;
    for (const Alert &a : stillOpen)
        for (const Delivery &d : reader.deliveries(a.id))
            if (d.kind == "firing")
                notified.insert(a.id);
    AlertChanges restored = m_alerts->restoreOpen(stillOpen, notified, nowNs());
    if (!restored.empty()) {
        auto job = std::make_unique<WriteJob>();
        job->alerts = std::move(restored);
        m_writer->submit(std::move(job));
    }
    m_analysis->setAlertEvaluator(m_alerts.get());
}

bool Engine::startListener(QString *error)
{
    m_listenerContext = new QObject;
    m_listenerContext->moveToThread(&m_listenerThread);
    connect(&m_listenerThread, &QThread::finished, m_listenerContext, &QObject::deleteLater);
    m_listenerThread.start();
    HttpLimits limits;
    limits.maxBodyBytes = m_config.maxBodyBytes;
    // Below the descriptor limit, with room for the database, its WAL, the query connections and the
    // channels' sockets, so that the cap answers 503 before the process runs out of descriptors.
    limits.maxConnections = std::max(16, std::min(m_config.maxConnections, raiseOpenFileLimit() - 128));
    bool ok = false;
    QString listenError;
    // Server and router are created on the listener thread so that their sockets and timers live there.
    QMetaObject::invokeMethod(
        m_listenerContext,
        [&] {
            m_tokens = new TokenRegistry(TokenFile::pathFor(m_config.dbPath), std::move(m_startTokens), m_tokenStamp);
            m_router = new ApiRouter(m_config, m_config.toJson(),
                                     {m_writer.get(), m_queries.get(), m_decoders.get(), m_budget.get(), &m_ingestStats,
                                      m_analysis.get(), &m_tagRules, &m_rules, m_alerts.get(), &m_ids, &m_channels, m_secrets.get(),
                                      m_secretsProblem, m_services.get(), m_series.get(),
                                      m_integrity.get(), m_tokens, m_auth.mode, m_liveFeed.get(),
                                      m_config.maxWebSocketConnections});
            m_server = new HttpServer(m_router, m_budget.get(), limits);
            if (m_tls)
                m_server->enableTls(*m_tls, &m_ingestStats.tlsHandshakeFailures);
            ok = m_server->listen(m_config.listenAddress, m_config.listenPort);
            if (ok) {
                m_port = m_server->serverPort();
                m_router->setListenPort(m_port);
                if (m_config.syslogPort != 0) {
                    // Syslog is an extra way in: a port in use is said, not fatal.
                    m_syslog = new SyslogListener(m_router->syslogRoute(), {});
                    QString syslogError;
                    if (m_syslog->listen(m_config.listenAddress, quint16(std::max(0, m_config.syslogPort)), &syslogError)) {
                        m_syslogPort = m_syslog->port();
                    } else {
                        qWarning("flowguard: no syslog listener on port %d: %s", m_config.syslogPort, qPrintable(syslogError));
                        delete m_syslog;
                        m_syslog = nullptr;
                    }
                }
            } else {
                listenError = m_server->errorString();
            }
        },
        Qt::BlockingQueuedConnection);
    if (!ok) {
        const QString host = m_config.listenAddress.toString();
        *error = QStringLiteral("cannot listen on %1:%2: %3").arg(host).arg(m_config.listenPort).arg(listenError);
    }
    return ok;
}

void Engine::stop()
{
    m_statsTimer.stop();
    // Queries would hold their connections busy below; their clients are going anyway.
    if (m_queries)
        m_queries->interruptAll();
    if (m_listenerThread.isRunning()) {
        QMetaObject::invokeMethod(
            m_listenerContext, [this] { m_server->beginShutdown(); }, Qt::BlockingQueuedConnection);
        // Requests already read are committed by the writer and answered before the listener goes.
        const QDeadlineTimer deadline(10'000);
        for (;;) {
            int busy = 0;
            QMetaObject::invokeMethod(
                m_listenerContext, [&] { busy = m_server->busyConnections(); }, Qt::BlockingQueuedConnection);
            if (busy == 0 || deadline.hasExpired())
                break;
            QThread::msleep(10);
        }
        QMetaObject::invokeMethod(
            m_listenerContext,
            [this] {
                delete m_syslog; // hands over what it gathered before the router goes
                m_syslog = nullptr;
                m_syslogPort = 0;
                // Decodes what is queued (the syslog's last batch among it) before the routes go.
                m_decoders->stop();
                delete m_server;
                delete m_router;
                delete m_tokens; // writes the last-use times back
                m_server = nullptr;
                m_router = nullptr;
                m_tokens = nullptr;
            },
            Qt::BlockingQueuedConnection);
        m_listenerThread.quit();
        m_listenerThread.wait();
        m_listenerContext = nullptr;
    }
    m_queries.reset();
    m_decoders.reset();
    // The dispatcher writes delivery states through the writer; what it has not sent stays in the outbox.
    if (m_dispatcher)
        m_dispatcher->stop();
    m_dispatcher.reset();
    // Analysis writes its open minutes through the writer, so it stops first.
    if (m_analysis)
        m_analysis->stop();
    if (m_writer)
        m_writer->stop();
    m_writer.reset();
    m_analysis.reset();
    m_budget.reset();
    m_services.reset();
    m_series.reset();
    m_integrity.reset();
    m_fileLock.reset();
    m_lock.reset();
    m_running = false;
}

QString Engine::listenAddress() const
{
    return hostPort(m_config.listenAddress, m_port);
}

QString Engine::baseUrl() const
{
    return (m_tls ? QStringLiteral("https://") : QStringLiteral("http://")) + listenAddress();
}

EngineStats Engine::stats() const
{
    EngineStats s;
    s.listenAddress = listenAddress();
    s.tls = m_tls.has_value();
    s.requests = m_ingestStats.requests;
    s.itemsAccepted = m_ingestStats.itemsAccepted;
    s.itemsRejected = m_ingestStats.itemsRejected;
    s.itemsPerSecond = m_rate;
    if (m_writer) {
        const StoreStats &w = m_writer->stats();
        s.logsStored = w.logsStored;
        s.metricsStored = w.metricsStored;
        s.commits = w.commits;
        s.queueDepth = w.queuedJobs;
        s.dbBytes = w.dbBytes;
        if (m_analysis) {
            s.analysisLagEvents = m_analysis->stats().lagEvents(w.lastLogId, w.lastPointId);
            s.analysisWarming = m_analysis->stats().warming;
        }
    }
    if (m_budget)
        s.inflightBytes = m_budget->used();
    return s;
}

void Engine::publishStats()
{
    const qint64 accepted = m_ingestStats.itemsAccepted;
    m_rate = double(accepted - m_lastAccepted) * 1000.0 / m_statsTimer.interval();
    m_lastAccepted = accepted;
    emit statsUpdated(stats());
}

} // namespace fg
