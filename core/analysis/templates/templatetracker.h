#pragma once

#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "drainminer.h"
#include "model/records.h"

namespace fg {

// What changed about one template since the last take: stored by upsert (counts add up).
struct TemplateUpdate {
    std::string service;
    std::int64_t id = 0;
    std::string text;
    std::string sample; // the first message seen
    Level maxLevel = Level::Unknown;
    TimeNs firstSeen = 0;
    TimeNs lastSeen = 0;
    std::uint64_t count = 0; // since the last take
};

struct TemplateMinute {
    std::string service;
    std::int64_t id = 0;
    TimeNs minute = 0;
    std::uint64_t count = 0; // since the last take
};

// Gives every log event a template id (a DrainMiner per service), keeps counts per template per minute
// of event time, and notes new error templates: a new kind of error is a signal on its own. Only when it
// matters, though: a template first seen at ERROR or above counts once its service is past its warm-up
// (in its first hour every error is new) and it has recurred in kMinOccurrences different minutes within
// kConfirmMinutes (a one-off line, or one burst, is not a pattern); it is noted in the minute it was
// confirmed. Templates persist:
// restore() puts stored ones back at start, and a service with stored templates needs no warm-up. One thread.
class TemplateTracker final {
public:
    static constexpr TimeNs kWarmupMinutes = 60;
    static constexpr TimeNs kConfirmMinutes = 10;
    static constexpr std::uint64_t kMinOccurrences = 3;

    explicit TemplateTracker(std::size_t maxServices = 1000, DrainMiner::Params params = {});

    // The template id of the event (0 when over a cap).
    std::int64_t add(const LogRecord &record);
    void restore(const std::string &service, std::int64_t id, const std::string &text);

    std::vector<TemplateUpdate> takeUpdates();
    std::vector<TemplateMinute> takeMinuteCounts();
    // Texts of templates first seen at ERROR or above in this minute of this service; forgets them.
    std::vector<std::string> takeNewErrorTemplates(const std::string &service, TimeNs minute);
    // Drops new-error notes for minutes before `minute` that nobody took (late data).
    void forgetNewErrorsBefore(const std::string &service, TimeNs minute);
    std::uint64_t overflow() const;
    // Drops the templates and counts of the services whose names start with `prefix` (cleared demo data).
    void forgetServices(const std::string &prefix);

private:
    DrainMiner *minerFor(const std::string &service);

    std::size_t m_maxServices;
    DrainMiner::Params m_params;
    std::unordered_map<std::string, DrainMiner> m_miners;
    std::map<std::pair<std::string, std::int64_t>, TemplateUpdate> m_updates;
    std::map<std::tuple<std::string, std::int64_t, TimeNs>, std::uint64_t> m_minutes;
    std::map<std::pair<std::string, TimeNs>, std::vector<std::string>> m_newErrors;
    struct Candidate {
        TimeNs firstSeen = 0;
        TimeNs lastMinute = 0;
        std::uint64_t minutes = 0; // distinct minutes it was seen in
    };
    std::map<std::pair<std::string, std::int64_t>, Candidate> m_candidates; // new error templates not yet confirmed
    std::unordered_map<std::string, TimeNs> m_serviceSince; // event time of each service's first event
    std::uint64_t m_overflowServices = 0;
};

} // namespace fg
