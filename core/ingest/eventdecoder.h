#pragma once

#include <optional>

#include "ingestdecoder.h"
#include "serviceregistry.h"

namespace fg {

// POST /events (one event object) and POST /events/batch ({"events":[…]}): application events with
// type, source, data{}, severity low|medium|high|critical, correlation_id, session_id, user_id, tags[],
// an optional timestamp and an optional event_id (or id) that makes a re-send idempotent.
//
// An event is stored as a log record so that it shows in /api/logs, the log view and the KPIs: service =
// source (or ?service=), level from severity (low INFO, medium WARN, high ERROR, critical FATAL, the
// severity kept as level_raw), message = type and a short summary of data, signal_id = the event id
// (generated when the client gives none), tags = the client's tags plus kEventTag. The event as sent lives
// in attributes under kEventAttribute ({"type","data","correlation_id","session_id","user_id","tags",
// "extra"}: extra holds fields outside the schema), so GET /events/{id} gives back exactly what was sent.
// A batch is all or nothing: one invalid event refuses the request, naming its index and field.
class EventDecoder final : public IngestDecoder {
public:
    enum class Shape { Single, Batch };
    static constexpr int kMaxEventsPerBatch = 10'000;
    static constexpr const char *kEventTag = "event";
    static constexpr const char *kEventAttribute = "event";

    EventDecoder(Shape shape, ServiceRegistry *services) : m_shape(shape), m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                        std::string_view queryService) override;

private:
    Shape m_shape;
    ServiceRegistry *m_services;
    simdjson::dom::parser m_parser;
};

// One event object into its log record; false with the error filled in.
bool decodeEventObject(simdjson::dom::object obj, TimeNs receivedAt, std::string_view defaultSource, LogRecord &r,
                       ItemError &error);
// The level an event severity maps to (low, medium, high, critical; any case); nullopt for another word.
std::optional<Level> levelForSeverity(std::string_view severity);

} // namespace fg
