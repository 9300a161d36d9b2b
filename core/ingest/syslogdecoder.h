#pragma once

#include "ingestdecoder.h"
#include "serviceregistry.h"

namespace fg {

// Syslog messages as the syslog listener hands them over: one body of RFC 6587 octet-counted frames
// (`LEN SP MSG`…), each parsed by parseSyslogMessage. A frame that is not octet-counted ends the body
// as malformed; a message that cannot be taken is that item's error.
class SyslogDecoder final : public IngestDecoder {
public:
    explicit SyslogDecoder(ServiceRegistry *services = nullptr) : m_services(services) {}
    DecodeResult decode(std::string_view paddedBody, BodyFormat format, TimeNs receivedAt, DecodeBudget *budget,
                        std::string_view queryService) override;

private:
    ServiceRegistry *m_services;
};

} // namespace fg
