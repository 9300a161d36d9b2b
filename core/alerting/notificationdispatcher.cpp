#include "notificationdispatcher.h"

#include <algorithm>
#include <future>

#include "store/storereader.h"
#include "store/storewriter.h"

namespace fg {

namespace {

NotificationIntent::Kind kindFrom(const std::string &name)
{
    for (auto k : {NotificationIntent::Kind::Firing, NotificationIntent::Kind::Resolved, NotificationIntent::Kind::Repeat,
                   NotificationIntent::Kind::Escalation, NotificationIntent::Kind::Test})
        if (notificationKindName(k) == name)
            return k;
    return NotificationIntent::Kind::Firing;
}

TimeNs backoff(int attempts)
{
    // 30 s, 1 min, 2 min, … capped at an hour.
    const int doublings = std::min(attempts - 1, 7);
    return std::min<TimeNs>(30 * kNsPerSec << std::max(doublings, 0), 3600 * kNsPerSec);
}

} // namespace

NotificationDispatcher::NotificationDispatcher(StoreWriter *writer, std::function<std::unique_ptr<StoreReader>()> readerFactory,
                                               const ChannelBook *channels, Options options, DesktopSender desktop)
    : m_writer(writer), m_readerFactory(std::move(readerFactory)), m_channels(channels), m_options(std::move(options)),
      m_desktop(std::move(desktop)), m_transport(m_options.allowPrivateTargets)
{
}

NotificationDispatcher::~NotificationDispatcher() { stop(); }

void NotificationDispatcher::start()
{
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable())
        return;
    m_stopping = false;
    m_thread = std::thread([this] { run(); });
}

void NotificationDispatcher::stop()
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable())
            return;
        m_stopping = true;
        m_wake.notify_one();
    }
    m_thread.join();
}

void NotificationDispatcher::wake()
{
    std::lock_guard lock(m_mutex);
    m_woken = true;
    m_wake.notify_one();
}

void NotificationDispatcher::run()
{
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::seconds(1), [this] { return m_stopping || m_woken; });
            m_woken = false;
            if (m_stopping)
                return;
        }
        try {
            runOnce();
        } catch (const std::exception &) {
            // The database may be briefly unavailable (shutdown, disk full): the rows stay due.
            m_reader.reset();
        }
    }
}

bool NotificationDispatcher::stormed(std::int64_t channelId, TimeNs now)
{
    std::deque<TimeNs> &sent = m_sent[channelId];
    const TimeNs window = m_options.stormWindowMinutes * 60 * kNsPerSec;
    while (!sent.empty() && sent.front() <= now - window)
        sent.pop_front();
    return int(sent.size()) >= m_options.stormLimit;
}

SendResult NotificationDispatcher::send(const Channel &channel, const OutgoingNotification &n)
{
    const std::string secret = m_channels->secret(channel.id);
    if (channel.needsSecret() && secret.empty()) {
        SendResult r;
        r.retryable = false;
        r.error = "no URL for this channel (its secret is not in the keychain)";
        return r;
    }
    switch (channel.type) {
    case Channel::Type::Slack:
        return m_transport.postJson(secret, slackPayload(n), channel.caFile, m_options.timeoutMs);
    case Channel::Type::Webhook:
        return m_transport.postJson(secret, alertmanagerPayload(n), channel.caFile, m_options.timeoutMs);
    case Channel::Type::Email: {
        const std::string from = channel.from.empty() ? "flowguard@localhost" : channel.from;
        return m_transport.sendMail(secret, from, channel.to, emailMessage(n, from, channel.to), channel.caFile,
                                    m_options.timeoutMs);
    }
    case Channel::Type::Desktop:
        if (!m_desktop) {
            SendResult r;
            r.retryable = false;
            r.error = "desktop notifications are not available in this session";
            return r;
        }
        return m_desktop(n);
    }
    return {};
}

int NotificationDispatcher::runOnce()
{
    if (!m_reader)
        m_reader = m_readerFactory();
    const TimeNs now = m_options.clock();
    const std::vector<Delivery> due = m_reader->dueDeliveries(now, 500);
    if (due.empty())
        return 0;
    // Group: one message per channel, service and kind.
    struct Group {
        std::vector<Delivery> rows;
        OutgoingNotification message;
    };
    std::map<std::tuple<std::int64_t, std::string, std::string>, Group> groups;
    std::vector<Delivery> settled;
    const auto channels = m_channels->current();
    // An alert notified on several channels is read once.
    std::map<std::int64_t, std::optional<Alert>> alerts;
    for (const Delivery &d : due) {
        auto known = alerts.find(d.alertId);
        if (known == alerts.end())
            known = alerts.emplace(d.alertId, m_reader->alert(d.alertId)).first;
        const std::optional<Alert> &alert = known->second;
        if (!alert) {
            Delivery gone = d;
            gone.state = "failed";
            gone.lastError = "the alert no longer exists";
            settled.push_back(gone);
            continue;
        }
        Group &g = groups[{d.channelId, alert->service, d.kind}];
        g.rows.push_back(d);
        g.message.alerts.push_back(*alert);
    }
    for (auto &[key, g] : groups) {
        const std::int64_t channelId = std::get<0>(key);
        const auto channel = std::find_if(channels->begin(), channels->end(), [&](const Channel &c) { return c.id == channelId; });
        g.message.kind = kindFrom(std::get<2>(key));
        g.message.baseUrl = m_options.baseUrl;
        g.message.now = now;
        SendResult result;
        bool suppressed = false;
        if (channel == channels->end() || !channel->enabled) {
            result.retryable = false;
            result.error = channel == channels->end() ? "the channel was deleted" : "the channel is disabled";
        } else {
            g.message.channel = channel->name;
            const bool test = g.message.kind == NotificationIntent::Kind::Test;
            if (!test && stormed(channelId, now)) {
                suppressed = true;
                // One summary per storm window stands in for everything held back in it.
                TimeNs &summary = m_stormSummary[channelId];
                if (now - summary >= m_options.stormWindowMinutes * 60 * kNsPerSec) {
                    g.message.stormSuppressed = int(g.rows.size());
                    summary = now;
                    send(*channel, g.message);
                }
            } else {
                result = send(*channel, g.message);
                if (result.ok && !test)
                    m_sent[channelId].push_back(now);
            }
        }
        for (Delivery d : g.rows) {
            ++d.attempts;
            if (suppressed) {
                d.state = "suppressed";
                d.lastError = "storm limit: " + std::to_string(m_options.stormLimit) + " notifications in "
                              + std::to_string(m_options.stormWindowMinutes) + " min on this channel";
            } else if (result.ok) {
                d.state = "delivered";
                d.deliveredAt = now;
                d.lastError.clear();
                d.channelName = g.message.channel;
            } else if (result.retryable && d.attempts < m_options.maxAttempts) {
                d.nextAttempt = now + std::max<TimeNs>(backoff(d.attempts), result.retryAfterSeconds * kNsPerSec);
                d.lastError = result.error;
            } else {
                d.state = "failed";
                d.lastError = result.error;
            }
            settled.push_back(std::move(d));
        }
    }
    // Written before the next pass reads the outbox again, so nothing goes out twice.
    auto job = std::make_unique<WriteJob>();
    job->deliveries = settled;
    std::promise<WriteOutcome> stored;
    auto outcome = stored.get_future();
    job->done = [&stored](const WriteOutcome &o) { stored.set_value(o); };
    m_writer->submit(std::move(job));
    outcome.wait();
    return int(settled.size());
}

} // namespace fg
