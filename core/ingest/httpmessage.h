#pragma once

#include <QByteArray>
#include <QHostAddress>

#include <utility>
#include <vector>

#include "model/timestamp.h"

namespace fg {

using HttpHeaders = std::vector<std::pair<QByteArray, QByteArray>>; // names lower-cased

struct HttpRequest {
    QByteArray method;
    QByteArray target; // as sent: path and query
    QByteArray path;   // percent-decoding left to the router
    QByteArray query;
    int versionMinor = 1;
    HttpHeaders headers;
    QByteArray body;
    qint64 contentLength = -1; // -1: none given
    bool chunked = false;
    TimeNs receivedAt = 0;
    QHostAddress peer;       // the client's address (null in process)
    bool inProcess = false;  // from the window in this process, not from a socket
    HttpHeaders responseHeaders; // set while admitting (rate-limit state), added to the answer

    QByteArray header(const QByteArray &lowerName) const
    {
        for (const auto &[name, value] : headers)
            if (name == lowerName)
                return value;
        return {};
    }
    bool hasHeader(const QByteArray &lowerName) const
    {
        for (const auto &h : headers)
            if (h.first == lowerName)
                return true;
        return false;
    }
    bool expectsBody() const { return chunked || contentLength > 0; }
};

struct HttpResponse {
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    HttpHeaders headers;
    bool close = false; // close the connection after this response

    bool hasHeader(const QByteArray &name) const
    {
        for (const auto &h : headers)
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        return false;
    }
    QByteArray serialize(bool keepAlive) const;
};

const char *httpReasonPhrase(int status);

} // namespace fg
