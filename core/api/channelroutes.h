#pragma once

#include <QString>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "ingest/httpresponder.h"

namespace fg {

class ChannelBook;
class RouteTable;
class IdAllocator;
class NotificationDispatcher;
class SecretStore;
class StoreWriter;

// Notification channels over HTTP: GET/POST /api/channels, PUT/DELETE /api/channels/{id}. The secret part
// (URL with credentials) goes to the secret store, never to the database or an answer; answers show a
// redacted target. Channels from the environment are listed but not editable.
class ChannelRoutes final {
public:
    struct Deps {
        StoreWriter *writer;
        ChannelBook *channels;
        SecretStore *secrets;
        QString secretsProblem; // non-empty: secrets cannot be stored, and why
        IdAllocator *ids;
        bool allowPrivateTargets; // --allow-private-targets: URLs to local and private addresses accepted
    };
    explicit ChannelRoutes(Deps deps) : m_deps(std::move(deps)) {}

    // Registers GET/POST /api/channels and PUT/DELETE /api/channels/{id}; the table calls back into this object.
    void addRoutes(RouteTable &table);

private:
    void list(const HttpResponder &responder);
    void create(const HttpRequest &request, const HttpResponder &responder);
    void replace(std::int64_t id, const HttpRequest &request, const HttpResponder &responder);
    void remove(std::int64_t id, const HttpResponder &responder);
    // A 422 naming "url" when the secret targets an address --allow-private-targets must allow.
    std::optional<HttpResponse> refusedTarget(const std::string &secret) const;
    // Stores the secret (when given) and the document, then publishes the channel and answers.
    void save(const struct Channel &channel, const std::string &secret, int status, const HttpResponder &responder);

    Deps m_deps;
};

} // namespace fg
