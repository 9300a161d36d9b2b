#pragma once

#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <optional>
#include <string>

#include "model/timestamp.h"

namespace fg {

// A silence or maintenance window: alerts matching it are recorded but not notified between its start
// and end. Matches by service (glob, "" any), rule id (0 any) and rule tag ("" any); all given must match.
struct Silence {
    std::int64_t id = 0;
    std::string service;
    std::int64_t ruleId = 0;
    std::string tag;
    TimeNs startsAt = 0;
    TimeNs endsAt = 0;
    std::string createdBy;
    std::string comment;
    TimeNs created = 0;

    bool activeAt(TimeNs t) const { return t >= startsAt && t < endsAt; }
    QJsonObject toJson() const;
    // Every alert is matched against every silence, so both their number and their parts are bounded.
    static constexpr int kMaxSelectorChars = 256; // service glob, tag
    static constexpr int kMaxTextChars = 2000;    // created_by, comment
    static constexpr std::int64_t kMaxSeconds = 36600LL * 86400; // a hundred years, far from overflow
    static constexpr int kMaxSilences = 1000;

    // Validates a POST body; nullopt with the field and why. `now` fills a missing start. `limit`, when
    // given, names the bound a refused document exceeded (empty for other errors).
    static std::optional<Silence> fromJson(const QJsonObject &json, TimeNs now, QString *field, QString *message,
                                           QString *limit = nullptr);
};

} // namespace fg
