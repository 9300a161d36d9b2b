#include "alertrule.h"

#include <QJsonArray>

#include <cmath>

#include "config/units.h"
#include "glob.h"
#include "model/jsonfields.h"

namespace fg {

namespace {

constexpr std::pair<AlertRule::Kind, const char *> kKinds[] = {
    {AlertRule::Kind::Threshold, "threshold"},
    {AlertRule::Kind::Degradation, "degradation"},
    {AlertRule::Kind::Anomaly, "anomaly"},
    {AlertRule::Kind::NewErrorTemplate, "new_error_template"},
    {AlertRule::Kind::Silent, "silent"},
};

QJsonArray toArray(const std::vector<std::string> &values)
{
    QJsonArray a;
    for (const std::string &v : values)
        a.append(QString::fromStdString(v));
    return a;
}

bool stringList(const QJsonValue &v, std::vector<std::string> *out)
{
    if (!v.isArray() || v.toArray().size() > AlertRule::kMaxListItems)
        return false;
    out->clear();
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString() || item.toString().trimmed().isEmpty() || item.toString().size() > AlertRule::kMaxSelectorChars)
            return false;
        out->push_back(item.toString().trimmed().toStdString());
    }
    return true;
}

// Minutes from "5m", "90s" (rounded up), "1h" or a number of minutes.
std::optional<int> minutes(const QJsonValue &v)
{
    if (v.isDouble())
        return v.toDouble() >= 0 && v.toDouble() <= 7 * 24 * 60 ? std::optional<int>(int(v.toDouble())) : std::nullopt;
    if (!v.isString())
        return std::nullopt;
    const auto s = parseDurationSeconds(v.toString().trimmed().toStdString());
    if (!s || *s < 0 || *s > 7 * 86400)
        return std::nullopt;
    return int((*s + 59) / 60);
}

} // namespace

std::string_view alertLevelName(AlertLevel level)
{
    switch (level) {
    case AlertLevel::Info:
        return "info";
    case AlertLevel::Warning:
        return "warning";
    case AlertLevel::Error:
        return "error";
    case AlertLevel::Critical:
        return "critical";
    }
    return "warning";
}

std::optional<AlertLevel> parseAlertLevel(std::string_view text)
{
    for (AlertLevel l : {AlertLevel::Info, AlertLevel::Warning, AlertLevel::Error, AlertLevel::Critical})
        if (alertLevelName(l) == text)
            return l;
    return std::nullopt;
}

std::string_view ruleKindName(AlertRule::Kind kind)
{
    for (const auto &[k, name] : kKinds)
        if (k == kind)
            return name;
    return "threshold";
}

bool AlertRule::matchesService(const std::string &s) const { return globMatch(service.c_str(), s.c_str()); }

QJsonObject AlertRule::toJson() const
{
    QJsonObject o{
        {QStringLiteral("id"), qint64(id)},
        {QStringLiteral("kind"), QString::fromUtf8(ruleKindName(kind).data())},
        {QStringLiteral("builtin"), builtin()},
        {QStringLiteral("name"), QString::fromStdString(name)},
        {QStringLiteral("description"), QString::fromStdString(description)},
        {QStringLiteral("condition"), condition ? QJsonValue(QString::fromStdString(condition->text())) : QJsonValue()},
        {QStringLiteral("window"), QStringLiteral("%1m").arg(windowMinutes)},
        {QStringLiteral("for"), QStringLiteral("%1m").arg(forMinutes)},
        {QStringLiteral("level"), QString::fromUtf8(alertLevelName(level).data())},
        {QStringLiteral("service"), QString::fromStdString(service)},
        {QStringLiteral("endpoint"), QString::fromStdString(endpoint)},
        {QStringLiteral("channels"), toArray(channels)},
        {QStringLiteral("escalation_channels"), toArray(escalationChannels)},
        {QStringLiteral("enabled"), enabled},
        {QStringLiteral("notify"), notify},
        {QStringLiteral("suppression_minutes"), suppressionMinutes},
        {QStringLiteral("escalation_minutes"), escalationMinutes},
        {QStringLiteral("tags"), toArray(tags)},
    };
    return o;
}

std::optional<AlertRule> AlertRule::fromJson(const QJsonObject &json, const AlertRule *base, QString *field,
                                             QString *message, QString *limit)
{
    AlertRule r = base ? *base : AlertRule{};
    auto bad = [&](const char *f, const QString &why) {
        *field = QString::fromLatin1(f);
        *message = why;
        return std::nullopt;
    };
    auto tooLarge = [&](const char *f, const char *limitName, const QString &why) {
        if (limit)
            *limit = QString::fromLatin1(limitName);
        return bad(f, why);
    };
    static const QStringList kKnown = {
        QStringLiteral("id"), QStringLiteral("kind"), QStringLiteral("builtin"), QStringLiteral("name"),
        QStringLiteral("description"), QStringLiteral("condition"), QStringLiteral("window"), QStringLiteral("for"),
        QStringLiteral("level"), QStringLiteral("service"), QStringLiteral("endpoint"), QStringLiteral("channels"),
        QStringLiteral("escalation_channels"), QStringLiteral("enabled"), QStringLiteral("notify"),
        QStringLiteral("suppression_minutes"), QStringLiteral("escalation_minutes"), QStringLiteral("tags")};
    if (const auto unknown = unknownField(json, kKnown)) {
        *field = *unknown;
        *message = QStringLiteral("unknown field");
        return std::nullopt;
    }
    if (json.contains(QStringLiteral("kind"))) {
        const std::string kind = json.value(QStringLiteral("kind")).toString().toStdString();
        if (kind != ruleKindName(r.kind))
            return bad("kind", base ? QStringLiteral("the kind of a rule cannot change")
                                    : QStringLiteral("only \"threshold\" rules can be created; the built-in kinds exist once"));
    }
    if (json.contains(QStringLiteral("name"))) {
        const QString name = json.value(QStringLiteral("name")).toString().trimmed();
        if (name.isEmpty() || name.size() > 200)
            return bad("name", QStringLiteral("expected a non-empty string of at most 200 characters"));
        r.name = name.toStdString();
    } else if (!base) {
        return bad("name", QStringLiteral("required"));
    }
    if (json.contains(QStringLiteral("description"))) {
        if (!json.value(QStringLiteral("description")).isString())
            return bad("description", QStringLiteral("expected a string"));
        if (json.value(QStringLiteral("description")).toString().size() > kMaxTextChars)
            return tooLarge("description", "max_description_chars",
                            QStringLiteral("longer than %1 characters (max_description_chars)").arg(kMaxTextChars));
        r.description = json.value(QStringLiteral("description")).toString().toStdString();
    }
    const QJsonValue conditionValue = json.value(QStringLiteral("condition"));
    const bool noCondition = conditionValue.isNull() || (conditionValue.isString() && conditionValue.toString().isEmpty());
    if (json.contains(QStringLiteral("condition")) && !(r.builtin() && noCondition)) {
        if (r.builtin())
            return bad("condition", QStringLiteral("built-in rules have no condition"));
        const QJsonValue c = json.value(QStringLiteral("condition"));
        if (!c.isString())
            return bad("condition", QStringLiteral("expected a string such as \"error_rate > 0.05\""));
        ConditionError error;
        r.condition = Condition::parse(c.toString().toStdString(), &error);
        if (!r.condition && error.limit)
            return tooLarge("condition", error.limit, QString::fromStdString(error.message));
        if (!r.condition)
            return bad("condition", QString::fromStdString(error.text()));
    } else if (!r.builtin() && !r.condition) {
        return bad("condition", QStringLiteral("required, e.g. \"error_rate > 0.05\""));
    }
    if (json.contains(QStringLiteral("window"))) {
        const auto m = minutes(json.value(QStringLiteral("window")));
        if (!m || *m < 1 || *m > 24 * 60)
            return bad("window", QStringLiteral("expected a duration from 1m to 24h, e.g. \"5m\""));
        r.windowMinutes = *m;
    }
    if (json.contains(QStringLiteral("for"))) {
        const auto m = minutes(json.value(QStringLiteral("for")));
        if (!m || *m > 24 * 60)
            return bad("for", QStringLiteral("expected a duration up to 24h, e.g. \"2m\" or \"0\""));
        r.forMinutes = *m;
    }
    if (json.contains(QStringLiteral("level"))) {
        const auto level = parseAlertLevel(json.value(QStringLiteral("level")).toString().toStdString());
        if (!level)
            return bad("level", QStringLiteral("expected info, warning, error or critical"));
        r.level = *level;
    }
    for (const auto &[key, target] : {std::pair{"service", &r.service}, std::pair{"endpoint", &r.endpoint}}) {
        const QString k = QString::fromLatin1(key);
        if (!json.contains(k))
            continue;
        if (!json.value(k).isString())
            return bad(key, QStringLiteral("expected a string"));
        if (json.value(k).toString().size() > kMaxSelectorChars)
            return tooLarge(key, "max_selector_chars",
                            QStringLiteral("longer than %1 characters (max_selector_chars)").arg(kMaxSelectorChars));
        *target = json.value(k).toString().trimmed().toStdString();
    }
    if (r.service.empty())
        r.service = "*";
    for (const auto &[key, target] : {std::pair{"channels", &r.channels}, std::pair{"escalation_channels", &r.escalationChannels},
                                      std::pair{"tags", &r.tags}}) {
        const QString k = QString::fromLatin1(key);
        if (json.contains(k) && !stringList(json.value(k), target))
            return bad(key, QStringLiteral("expected an array of at most %1 non-empty strings of at most %2 characters")
                                .arg(kMaxListItems)
                                .arg(kMaxSelectorChars));
    }
    for (const auto &[key, target] : {std::pair{"enabled", &r.enabled}, std::pair{"notify", &r.notify}}) {
        const QString k = QString::fromLatin1(key);
        if (!json.contains(k))
            continue;
        if (!json.value(k).isBool())
            return bad(key, QStringLiteral("expected true or false"));
        *target = json.value(k).toBool();
    }
    for (const auto &[key, target] : {std::pair{"suppression_minutes", &r.suppressionMinutes},
                                      std::pair{"escalation_minutes", &r.escalationMinutes}}) {
        const QString k = QString::fromLatin1(key);
        if (!json.contains(k))
            continue;
        const QJsonValue v = json.value(k);
        if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() > 7 * 24 * 60 || v.toDouble() != std::floor(v.toDouble()))
            return bad(key, QStringLiteral("expected whole minutes from 0 to 10080"));
        *target = int(v.toDouble());
    }
    return r;
}

std::vector<AlertRule> AlertRule::builtins()
{
    std::vector<AlertRule> rules(5);
    rules[0].id = 1;
    rules[0].kind = Kind::Degradation;
    rules[0].name = "Degradation";
    rules[0].description = "The detection engine found a degradation: two signals agree, or one is extreme.";
    rules[0].level = AlertLevel::Error;
    rules[0].forMinutes = 0; // the detector has its own duration and hysteresis
    rules[1].id = 2;
    rules[1].kind = Kind::Anomaly;
    rules[1].name = "Metric anomaly";
    rules[1].description = "An ingested metric series is out of line. Recorded; notifies only when enabled here.";
    rules[1].level = AlertLevel::Info;
    rules[1].notify = false;
    rules[2].id = 3;
    rules[2].kind = Kind::NewErrorTemplate;
    rules[2].name = "New error pattern";
    rules[2].description = "A log template never seen before appeared at ERROR level and kept recurring for 10 minutes.";
    rules[2].level = AlertLevel::Warning;
    // As long as the detectors take to confirm what a new error usually announces (a few minutes of rising
    // errors, pooled latency at night): a degradation found meanwhile pages once for both.
    rules[2].forMinutes = 10;
    rules[3].id = 4;
    rules[3].kind = Kind::Silent;
    rules[3].name = "Service silent";
    rules[3].description = "No data from a service for 10 minutes.";
    rules[3].level = AlertLevel::Error;
    rules[3].forMinutes = 10;
    rules[4].id = 5;
    rules[4].kind = Kind::Threshold;
    rules[4].name = "High error rate";
    rules[4].description = "More than 5 % of requests failed over 5 minutes.";
    rules[4].condition = Condition::parse("error_rate > 5%", nullptr);
    rules[4].level = AlertLevel::Error;
    rules[4].windowMinutes = 5;
    rules[4].forMinutes = 0;
    return rules;
}

} // namespace fg
