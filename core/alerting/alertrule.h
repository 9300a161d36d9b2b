#pragma once

#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "condition.h"
#include "model/sharedsnapshot.h"

namespace fg {

enum class AlertLevel { Info, Warning, Error, Critical };
std::string_view alertLevelName(AlertLevel level);
std::optional<AlertLevel> parseAlertLevel(std::string_view text);

// An alerting rule. Threshold rules carry a condition over a KPI window; the built-in kinds turn the
// detection engine's findings (degradations, anomalies, new error templates) and silent services into
// alerts and have no condition of their own.
struct AlertRule {
    enum class Kind { Threshold, Degradation, Anomaly, NewErrorTemplate, Silent };
    std::int64_t id = 0;
    Kind kind = Kind::Threshold;
    std::string name;
    std::string description;
    std::optional<Condition> condition; // Threshold only
    int windowMinutes = 5;
    int forMinutes = 0;
    AlertLevel level = AlertLevel::Warning;
    std::string service = "*";  // exact name or a glob with '*'
    std::string endpoint;       // "": the whole service; "*": every route; else one route
    std::vector<std::string> channels;           // channel names; empty: every enabled channel
    std::vector<std::string> escalationChannels; // for unacknowledged critical alerts
    bool enabled = true;
    bool notify = true; // plain anomalies are recorded without notifying unless a rule says so
    int suppressionMinutes = 0; // no re-notification within this long after one (0: the default repeat)
    int escalationMinutes = 0;  // 0: no escalation
    std::vector<std::string> tags;

    bool builtin() const { return kind != Kind::Threshold; }
    bool matchesService(const std::string &service) const;
    QJsonObject toJson() const;
    // Bounds of a rule document: rules are evaluated every minute for every service, so each part of
    // one stays small.
    static constexpr int kMaxTextChars = 2000;    // description
    static constexpr int kMaxSelectorChars = 256; // service and endpoint globs
    static constexpr int kMaxListItems = 32;      // channels, escalation channels, tags
    static constexpr int kMaxRules = 500;

    // Validates a rule document; on error nullopt with the field and why (the condition's message
    // names the column). `base`: the rule being replaced (PUT keeps its kind for built-ins). `limit`, when
    // given, names the bound a refused document exceeded (empty for other errors).
    static std::optional<AlertRule> fromJson(const QJsonObject &json, const AlertRule *base, QString *field,
                                             QString *message, QString *limit = nullptr);
    // The built-in rules a new database starts with (ids 1..5).
    static std::vector<AlertRule> builtins();
};

std::string_view ruleKindName(AlertRule::Kind kind);

// The current rule set, shared between the API (which edits it) and the alert evaluator (which reads a
// snapshot per pass).
class RuleBook final : public SharedSnapshot<std::vector<AlertRule>> {};

} // namespace fg
