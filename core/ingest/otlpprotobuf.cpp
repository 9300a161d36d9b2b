#include "otlpprotobuf.h"

#include <google/protobuf/util/json_util.h>

#include <memory>

#include "decodebudget.h"
#include "ingestdecoder.h"
#include "ingest/otlpproto/otlp.pb.h"

namespace fg::otlp {

namespace {

std::unique_ptr<google::protobuf::Message> requestFor(Signal signal)
{
    switch (signal) {
    case Signal::Logs: return std::make_unique<fg::otlppb::ExportLogsServiceRequest>();
    case Signal::Metrics: return std::make_unique<fg::otlppb::ExportMetricsServiceRequest>();
    case Signal::Traces: return std::make_unique<fg::otlppb::ExportTraceServiceRequest>();
    }
    return nullptr;
}

std::unique_ptr<google::protobuf::Message> responseFor(Signal signal)
{
    switch (signal) {
    case Signal::Logs: return std::make_unique<fg::otlppb::ExportLogsServiceResponse>();
    case Signal::Metrics: return std::make_unique<fg::otlppb::ExportMetricsServiceResponse>();
    case Signal::Traces: return std::make_unique<fg::otlppb::ExportTraceServiceResponse>();
    }
    return nullptr;
}

// google.rpc.Code for an HTTP status, as gRPC maps them.
int rpcCode(int httpStatus)
{
    switch (httpStatus) {
    case 400: return 3;  // INVALID_ARGUMENT
    case 401: return 16; // UNAUTHENTICATED
    case 403: return 7;  // PERMISSION_DENIED
    case 404: return 5;  // NOT_FOUND
    case 413:
    case 429:
    case 507: return 8;  // RESOURCE_EXHAUSTED
    case 415: return 3;
    case 503: return 14; // UNAVAILABLE
    default: return 13;  // INTERNAL
    }
}

} // namespace

bool protobufAsJson(Signal signal, std::string_view body, DecodeBudget *budget, DecodeResult &result, std::string &json)
{
    const auto request = requestFor(signal);
    // Bounded: the body is at most the decompressed-size limit, and the parser refuses nesting deeper than
    // its recursion limit (100), which AnyValue values could otherwise reach.
    if (!request->ParseFromArray(body.data(), int(body.size()))) {
        result.malformed = "the body is not an OTLP protobuf Export" + std::string(signal == Signal::Logs ? "Logs"
                                                                                    : signal == Signal::Metrics ? "Metrics"
                                                                                                                : "Trace")
                           + "ServiceRequest";
        return false;
    }
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_enums_as_ints = true;
    json.clear();
    if (!google::protobuf::util::MessageToJsonString(*request, &json, options).ok()) {
        result.malformed = "the protobuf request could not be read as OTLP (a string field is not valid UTF-8?)";
        return false;
    }
    if (budget && !budget->charge(kJsonParseFactor * std::int64_t(json.size()))) {
        result.overBudget = true;
        return false;
    }
    json.append(kJsonPadding, '\0');
    return true;
}

std::string answerAsProtobuf(Signal signal, int httpStatus, std::string_view jsonAnswer)
{
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    if (httpStatus >= 200 && httpStatus < 300) {
        const auto response = responseFor(signal);
        if (!google::protobuf::util::JsonStringToMessage(jsonAnswer, response.get(), options).ok())
            response->Clear();
        return response->SerializeAsString();
    }
    fg::otlppb::RpcStatus status;
    if (!google::protobuf::util::JsonStringToMessage(jsonAnswer, &status, options).ok())
        status.Clear();
    if (status.code() == 0)
        status.set_code(rpcCode(httpStatus));
    return status.SerializeAsString();
}

bool readProtobufAnswer(int httpStatus, std::string_view body, std::int64_t *rejected, std::string *message)
{
    if (httpStatus >= 200 && httpStatus < 300) {
        // The three signals' answers share one wire shape: partial_success {rejected = 1, error_message = 2}.
        fg::otlppb::ExportLogsServiceResponse response;
        if (!response.ParseFromArray(body.data(), int(body.size())))
            return false;
        *rejected = response.partial_success().rejected_log_records();
        *message = response.partial_success().error_message();
        return true;
    }
    fg::otlppb::RpcStatus status;
    if (!status.ParseFromArray(body.data(), int(body.size())))
        return false;
    *rejected = 0;
    *message = status.message();
    return true;
}

} // namespace fg::otlp
