#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "channel.h"
#include "delivery/curltransport.h"
#include "delivery/notificationmessages.h"

namespace fg {

class StoreReader;
class StoreWriter;

// Sends what the outbox holds, on its own thread: due rows are grouped per channel, service and kind
// into one message (the outbox holds firing notifications back a few seconds for that), sent with
// timeouts, and their state written back — delivered, retried later with back-off (honouring
// Retry-After), or failed. A notification survives a receiver outage and a restart because it stays
// in the outbox until its state says otherwise. A storm limit per channel sends one summary instead
// of more.
class NotificationDispatcher final {
public:
    struct Options {
        std::string baseUrl;        // public base URL for links to alerts
        int stormLimit = 20;        // notifications per channel and window
        int stormWindowMinutes = 10;
        int maxAttempts = 12;       // then the delivery fails (about a day of back-off)
        long timeoutMs = 10000;
        bool allowPrivateTargets = false; // --allow-private-targets: loopback and LAN receivers allowed
        std::function<TimeNs()> clock = nowNs;
    };
    // Desktop notifications: a tray icon in the window, or the session's notification service.
    using DesktopSender = std::function<SendResult(const OutgoingNotification &)>;

    NotificationDispatcher(StoreWriter *writer, std::function<std::unique_ptr<StoreReader>()> readerFactory,
                           const ChannelBook *channels, Options options, DesktopSender desktop = {});
    ~NotificationDispatcher();

    void start();
    void stop();
    void wake();
    // One pass over what is due; returns the number of outbox rows it settled or rescheduled (tests).
    int runOnce();

private:
    void run();
    SendResult send(const Channel &channel, const OutgoingNotification &n);
    bool stormed(std::int64_t channelId, TimeNs now);

    StoreWriter *m_writer;
    std::function<std::unique_ptr<StoreReader>()> m_readerFactory;
    std::unique_ptr<StoreReader> m_reader;
    const ChannelBook *m_channels;
    Options m_options;
    DesktopSender m_desktop;
    CurlTransport m_transport;
    std::map<std::int64_t, std::deque<TimeNs>> m_sent;  // per channel, within the storm window
    std::map<std::int64_t, TimeNs> m_stormSummary;       // per channel: when the last summary went out
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_woken = false;
    std::thread m_thread;
};

} // namespace fg
