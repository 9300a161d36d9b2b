#pragma once

#include <QJsonArray>
#include <QString>

#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "ingest/httpmessage.h"
#include "model/timestamp.h"

namespace fg {

// What the ingest endpoints refused lately, for GET /api/ingest/rejections and the window's ingest
// inspector: the last kCapacity requests answered with an error or with some items refused (time, route,
// status, reason, field path, client address), and when each route last committed items. Fed from the
// responders of the ingest routes on the listener and writer threads; any thread (one short lock).
class IngestInspector final {
public:
    static constexpr std::size_t kCapacity = 100;
    // Answer bodies larger than this are not read for a reason (error bodies are small).
    static constexpr qsizetype kMaxBodyRead = 256 * 1024;

    struct Rejection {
        qint64 id = 0; // counts up from 1 since start, so a reader can tell new entries
        TimeNs at = 0;
        std::string route;  // the route's path pattern
        int status = 0;
        int rejectedItems = 0; // items refused (0: the whole request)
        QString reason;
        QString field;      // the field path the answer names, when it names one
        QString source;     // the client's address; "window" for the in-process API
    };

    // An ingest route's answer: kept when it refuses the request or some of its items.
    void observe(const char *route, const QHostAddress &peer, bool inProcess, const HttpResponse &response, TimeNs at);
    // Newest first.
    QJsonArray rejectionsJson() const;
    // Route path → when it last committed items (0: never since start).
    std::map<std::string, TimeNs> lastAccepted() const;

    // The reason, field and refused-item count an answer body tells (native, OTLP and Loki bodies).
    static Rejection read(int status, const QByteArray &body);
    // The same from an OTLP protobuf answer (Export*ServiceResponse or google.rpc.Status).
    static Rejection readProtobuf(int status, const QByteArray &body);

private:
    mutable std::mutex m_mutex;
    std::deque<Rejection> m_rejections;
    qint64 m_lastId = 0;
    std::map<std::string, TimeNs> m_lastAccepted;
};

} // namespace fg
