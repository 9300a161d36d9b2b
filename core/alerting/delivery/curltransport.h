#pragma once

#include <string>
#include <vector>

namespace fg {

// What a delivery attempt came to. `retryable`: worth trying again later (network trouble, 429, 5xx);
// otherwise the receiver refused for good (bad URL, 4xx) and the delivery fails.
struct SendResult {
    bool ok = false;
    bool retryable = true;
    long retryAfterSeconds = 0; // from a 429/503 Retry-After
    std::string error;          // for the delivery status: status line, receiver's text or transport error
};

// Outgoing HTTP and SMTP over libcurl, blocking with timeouts: called from the dispatcher thread only.
class CurlTransport final {
public:
    // allowPrivateTargets: connect wherever a URL resolves; otherwise a resolved address that
    // forbiddenTargetAddress() refuses fails the delivery (this stops DNS rebinding past the API's check).
    explicit CurlTransport(bool allowPrivateTargets = false);
    ~CurlTransport();
    CurlTransport(const CurlTransport &) = delete;
    CurlTransport &operator=(const CurlTransport &) = delete;

    SendResult postJson(const std::string &url, const std::string &json, const std::string &caFile, long timeoutMs);
    // url: smtp://[user:password@]host[:port] (STARTTLS, required when credentials are given) or smtps://…
    // message: a complete RFC 5322 message with CRLF line ends.
    SendResult sendMail(const std::string &url, const std::string &from, const std::vector<std::string> &to,
                        const std::string &message, const std::string &caFile, long timeoutMs);

private:
    bool m_allowPrivateTargets;
};

} // namespace fg
