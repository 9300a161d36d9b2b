#pragma once

#include "ingest/httpmessage.h"

namespace fg {

class HttpResponder;
class QueryRunner;

// The read side of the events API, on the query pool. Events are log records tagged "event" whose
// attributes hold the event as sent (ingest/eventdecoder.h); these read them back in the event's shape.
// Answers are {"success":true,"message":…,"data":…}; refusals {"success":false,…} naming the parameter.
//
// GET /events/{id}: one event by its id (404 when none).
void eventById(const HttpRequest &request, QueryRunner *queries, const HttpResponder &responder);
// GET /events?start=&end=&type=&page=&limit=: newest first, with page, page_size, total, pages, has_next,
// has_prev. The range defaults to the 24 hours before end (end: now); at most kMaxScannedEvents events of
// the range are counted ("truncated" says the range held more: narrow it).
void eventList(const HttpRequest &request, QueryRunner *queries, const HttpResponder &responder);
// GET /events/aggregations?metric=count&group_by=type|source|severity&start=&end=: counts per group over
// the same bounded range.
void eventAggregations(const HttpRequest &request, QueryRunner *queries, const HttpResponder &responder);

constexpr int kMaxScannedEvents = 100'000;

} // namespace fg
