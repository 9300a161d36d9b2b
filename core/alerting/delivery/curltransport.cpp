#include "curltransport.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <QHostAddress>

#include <algorithm>
#include <cstring>
#include <mutex>

#include "targetpolicy.h"

namespace fg {

namespace {

std::once_flag g_curlInit;

size_t collect(char *data, size_t size, size_t count, void *out)
{
    auto *body = static_cast<std::string *>(out);
    const size_t n = size * count;
    if (body->size() < 2048) // the start of the receiver's answer is enough for the status
        body->append(data, std::min(n, 2048 - body->size()));
    return n;
}

struct Upload {
    const std::string *data;
    size_t offset = 0;
};

size_t supply(char *buffer, size_t size, size_t count, void *in)
{
    auto *up = static_cast<Upload *>(in);
    const size_t n = std::min(size * count, up->data->size() - up->offset);
    std::memcpy(buffer, up->data->data() + up->offset, n);
    up->offset += n;
    return n;
}

// Opens each socket curl asks for after resolving, unless the address is forbidden: then the reason is
// kept (*refused) and curl sees a failed connect.
curl_socket_t openChecked(void *refused, curlsocktype, curl_sockaddr *address)
{
    const QString why = forbiddenTargetAddress(QHostAddress(&address->addr));
    if (!why.isEmpty()) {
        *static_cast<std::string *>(refused) = why.toStdString();
        return CURL_SOCKET_BAD;
    }
    return ::socket(address->family, address->socktype, address->protocol);
}

// Common easy-handle settings: timeouts, no signals (threads), TLS verification on, an extra CA if given,
// and the address check unless private targets are allowed.
void common(CURL *curl, const std::string &url, const std::string &caFile, long timeoutMs, char *errorBuffer,
            std::string *refused)
{
    if (refused) {
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, openChecked);
        curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, refused);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeoutMs);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeoutMs, 10000L));
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    if (!caFile.empty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, caFile.c_str());
}

std::string transportError(CURLcode code, const char *buffer, const std::string &refused)
{
    if (!refused.empty())
        return "refused to connect: " + refused + " (" + privateTargetsHint().toStdString() + ")";
    return std::string(curl_easy_strerror(code)) + (buffer[0] ? std::string(": ") + buffer : std::string());
}

} // namespace

CurlTransport::CurlTransport(bool allowPrivateTargets) : m_allowPrivateTargets(allowPrivateTargets)
{
    std::call_once(g_curlInit, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlTransport::~CurlTransport() = default;

SendResult CurlTransport::postJson(const std::string &url, const std::string &json, const std::string &caFile,
                                   long timeoutMs)
{
    SendResult r;
    CURL *curl = curl_easy_init();
    if (!curl) {
        r.error = "libcurl could not start a transfer";
        return r;
    }
    char errorBuffer[CURL_ERROR_SIZE] = "";
    std::string body;
    std::string refused;
    common(curl, url, caFile, timeoutMs, errorBuffer, m_allowPrivateTargets ? nullptr : &refused);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_slist *headers = curl_slist_append(nullptr, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(json.size()));
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "FlowGuard/" FLOWGUARD_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    const CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t retryAfter = 0;
    curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retryAfter);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (code != CURLE_OK) {
        r.error = transportError(code, errorBuffer, refused);
        r.retryable = refused.empty() && code != CURLE_UNSUPPORTED_PROTOCOL && code != CURLE_URL_MALFORMAT;
        return r;
    }
    r.retryAfterSeconds = long(retryAfter);
    if (status >= 200 && status < 300) {
        r.ok = true;
        return r;
    }
    r.error = "HTTP " + std::to_string(status) + (body.empty() ? "" : ": " + body);
    r.retryable = status == 429 || status == 408 || status >= 500;
    return r;
}

SendResult CurlTransport::sendMail(const std::string &url, const std::string &from, const std::vector<std::string> &to,
                                   const std::string &message, const std::string &caFile, long timeoutMs)
{
    SendResult r;
    CURL *curl = curl_easy_init();
    if (!curl) {
        r.error = "libcurl could not start a transfer";
        return r;
    }
    char errorBuffer[CURL_ERROR_SIZE] = "";
    std::string refused;
    common(curl, url, caFile, timeoutMs, errorBuffer, m_allowPrivateTargets ? nullptr : &refused);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    // Credentials never travel in clear text: with a user name STARTTLS is required, without one it is
    // used when the server offers it.
    const bool credentials = url.find('@') != std::string::npos;
    curl_easy_setopt(curl, CURLOPT_USE_SSL, credentials ? long(CURLUSESSL_ALL) : long(CURLUSESSL_TRY));
    const std::string sender = "<" + from + ">";
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender.c_str());
    curl_slist *rcpt = nullptr;
    for (const std::string &address : to)
        rcpt = curl_slist_append(rcpt, ("<" + address + ">").c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    Upload upload{&message};
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, supply);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.size()));
    const CURLcode code = curl_easy_perform(curl);
    long reply = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    if (code == CURLE_OK) {
        r.ok = true;
        return r;
    }
    r.error = transportError(code, errorBuffer, refused) + (reply ? " (SMTP " + std::to_string(reply) + ")" : "");
    // 5xx replies (bad recipient, authentication refused) will not get better by waiting; 4xx and
    // connection trouble may.
    r.retryable = refused.empty() && !(reply >= 500 && reply < 600) && code != CURLE_LOGIN_DENIED && code != CURLE_URL_MALFORMAT
                  && code != CURLE_UNSUPPORTED_PROTOCOL;
    return r;
}

} // namespace fg
