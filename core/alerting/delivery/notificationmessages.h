#pragma once

#include <string>
#include <vector>

#include "alerting/alert.h"
#include "alerting/alertevaluator.h"

namespace fg {

// One notification as it leaves: a kind and the alerts it lists (one service's alerts grouped).
struct OutgoingNotification {
    NotificationIntent::Kind kind = NotificationIntent::Kind::Firing;
    std::vector<Alert> alerts;
    std::string channel; // the receiving channel's name (Alertmanager "receiver")
    std::string baseUrl; // public base URL for links to alerts, without a trailing slash
    int stormSuppressed = 0; // > 0: a storm-limit summary standing in for this many notifications
    TimeNs now = 0;
};

// "[FIRING] checkout: High error rate (+2 more)"
std::string notificationTitle(const OutgoingNotification &n);
// Slack incoming-webhook JSON: a plain-text fallback and blocks (header, fields, why, link).
std::string slackPayload(const OutgoingNotification &n);
// Alertmanager webhook JSON (version 4), so existing receivers work unchanged.
std::string alertmanagerPayload(const OutgoingNotification &n);
// A complete RFC 5322 message (UTF-8 text, CRLF line ends).
std::string emailMessage(const OutgoingNotification &n, const std::string &from, const std::vector<std::string> &to);
// Title and body for a desktop notification.
std::string desktopBody(const OutgoingNotification &n);

} // namespace fg
