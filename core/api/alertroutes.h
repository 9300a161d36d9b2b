#pragma once

#include <atomic>
#include <optional>

#include "ingest/httpresponder.h"

namespace fg {

class AlertEvaluator;
class RouteTable;
class IdAllocator;
class ChannelBook;
class QueryRunner;
class RuleBook;
class StoreWriter;

// The alerting part of the HTTP API: rules (GET/POST /api/rules, PUT/DELETE /api/rules/{id}), alerts
// (GET /api/alerts, /api/alerts/{id}, POST /api/alerts/{id}/acknowledge, GET /api/alerts/export.csv,
// /api/alerts/histogram)
// silences (GET/POST /api/silences, DELETE /api/silences/{id}), incidents (GET /api/incidents,
// /api/incidents/{id}) and POST /api/test-alert. Changes are acknowledged once
// stored. Lives on the listener thread; SQL runs on the query pool and the writer thread.
class AlertRoutes final {
public:
    struct Deps {
        StoreWriter *writer;
        QueryRunner *queries;
        RuleBook *rules;
        AlertEvaluator *alerts;
        IdAllocator *ids; // rules and silences
        const ChannelBook *channels;       // names for the delivery list of an alert
    };
    explicit AlertRoutes(Deps deps) : m_deps(deps) {}

    // Registers every alerting route; the table calls back into this object.
    void addRoutes(RouteTable &table);

private:
    void listRules(const HttpResponder &responder);
    void createRule(const HttpRequest &request, const HttpResponder &responder);
    void replaceRule(std::int64_t id, const HttpRequest &request, const HttpResponder &responder);
    void deleteRule(std::int64_t id, const HttpResponder &responder);
    void listAlerts(const HttpRequest &request, const HttpResponder &responder);
    void exportAlerts(const HttpRequest &request, const HttpResponder &responder);
    // GET /api/alerts/histogram?step=1h&…: alerts per step and level, with the list's filters.
    void alertHistogram(const HttpRequest &request, const HttpResponder &responder);
    void getAlert(std::int64_t id, const HttpResponder &responder);
    // GET /alerts/{id}: a small HTML page for people following a notification's link.
    void alertPage(std::int64_t id, const HttpResponder &responder);
    void acknowledge(std::int64_t id, const HttpRequest &request, const HttpResponder &responder);
    void testAlert(const HttpRequest &request, const HttpResponder &responder);
    void listIncidents(const HttpRequest &request, const HttpResponder &responder);
    void getIncident(std::int64_t id, const HttpResponder &responder);
    void listSilences(const HttpResponder &responder);
    void createSilence(const HttpRequest &request, const HttpResponder &responder);
    void deleteSilence(std::int64_t id, const HttpResponder &responder);

    Deps m_deps;
};

} // namespace fg
