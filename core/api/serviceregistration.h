#pragma once

#include "ingest/httpmessage.h"

namespace fg {

class HttpResponder;
class ServiceRegistry;
class StoreWriter;

// POST /api/logs/services/register {"service_name":…, "description", "team", "owner", "tags":[…], …}: the
// service is listed (GET /api/logs/services, the services overview) before its first event, with the
// document kept beside it. Idempotent: registering again replaces the document. A new service counts
// against the service cap (422 naming max_services once it is reached).
void registerService(const HttpRequest &request, StoreWriter *writer, ServiceRegistry *services,
                     const HttpResponder &responder);

} // namespace fg
