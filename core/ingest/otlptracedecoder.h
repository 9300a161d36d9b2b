#pragma once

#include "ingestdecoder.h"
#include "otlpjson.h"
#include "serviceregistry.h"

namespace fg {

// POST /v1/traces: an OTLP/HTTP JSON ExportTraceServiceRequest. Each span becomes one stored event
// (tagged "span") with its trace id, span id and parent (in attributes), so /api/logs?trace_id= finds a
// trace's spans beside its logs. Server and consumer spans, and root spans of any kind, are the requests
// of their service: their duration is the latency and the route (http.route, url.path, else the span
// name) the endpoint, and status ERROR or an HTTP status ≥ 500 is an error. Other spans keep their
// duration in attributes only, so a request's internal spans do not count as more traffic. Spans carry no
// idempotency key: SDKs export each span once, and a key per span cut span ingest from 34k to 12k/s.
class OtlpTraceDecoder final : public IngestDecoder {
public:
    explicit OtlpTraceDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt,
                        DecodeBudget *budget, std::string_view queryService) override;

private:
    ServiceRegistry *m_services;
    otlp::RequestWalker m_walker;
};

} // namespace fg
