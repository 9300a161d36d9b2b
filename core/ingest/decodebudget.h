#pragma once

#include <cstdint>

namespace fg {

class InflightBudget;

// Charges the memory of decoded records to the in-flight budget while they are made, so that a body of
// many tiny items cannot expand far beyond what was reserved for its bytes. Used on one thread.
class DecodeBudget final {
public:
    // prepaid: bytes already reserved for this request's records (by the transport).
    DecodeBudget(InflightBudget *budget, std::int64_t prepaid) : m_budget(budget), m_available(prepaid) {}
    ~DecodeBudget();
    DecodeBudget(const DecodeBudget &) = delete;
    DecodeBudget &operator=(const DecodeBudget &) = delete;

    // False once the records no longer fit; decoding should stop.
    bool charge(std::int64_t bytes);
    // Hands the extra reservation over to the caller, who releases it when the request is answered.
    std::int64_t takeReservation();
    std::int64_t charged() const { return m_charged; }

private:
    InflightBudget *m_budget;
    std::int64_t m_available;
    std::int64_t m_reserved = 0;
    std::int64_t m_charged = 0;
};

} // namespace fg
