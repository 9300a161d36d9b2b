#include "silence.h"

#include <algorithm>
#include <cmath>

#include "config/units.h"
#include "model/timestamp.h"
#include "model/jsonfields.h"

namespace fg {

QJsonObject Silence::toJson() const
{
    return QJsonObject{
        {QStringLiteral("id"), qint64(id)},
        {QStringLiteral("service"), QString::fromStdString(service)},
        {QStringLiteral("rule_id"), qint64(ruleId)},
        {QStringLiteral("tag"), QString::fromStdString(tag)},
        {QStringLiteral("starts_at"), QString::fromStdString(formatIsoMs(startsAt))},
        {QStringLiteral("ends_at"), QString::fromStdString(formatIsoMs(endsAt))},
        {QStringLiteral("created_by"), QString::fromStdString(createdBy)},
        {QStringLiteral("comment"), QString::fromStdString(comment)},
        {QStringLiteral("created_at"), QString::fromStdString(formatIsoMs(created))},
    };
}

std::optional<Silence> Silence::fromJson(const QJsonObject &json, TimeNs now, QString *field, QString *message,
                                         QString *limit)
{
    Silence s;
    s.created = now;
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
    // Accepted spellings: creator/created_by, start/starts_at, end/ends_at, rule/rule_id, or a duration
    // ("2h") instead of an end.
    QJsonObject in = json;
    for (const auto &[alias, name] : {std::pair{"creator", "created_by"}, std::pair{"start", "starts_at"},
                                      std::pair{"end", "ends_at"}, std::pair{"rule", "rule_id"}}) {
        const QString a = QString::fromLatin1(alias);
        if (in.contains(a) && !in.contains(QString::fromLatin1(name)))
            in.insert(QString::fromLatin1(name), in.value(a));
        in.remove(a);
    }
    static const QStringList kKnown = {QStringLiteral("service"), QStringLiteral("rule_id"),   QStringLiteral("tag"),
                                       QStringLiteral("starts_at"), QStringLiteral("ends_at"), QStringLiteral("created_by"),
                                       QStringLiteral("comment"),   QStringLiteral("duration")};
    if (const auto unknown = unknownField(in, kKnown)) {
        *field = *unknown;
        *message = QStringLiteral("unknown field");
        return std::nullopt;
    }
    for (const auto &[key, target] : {std::pair{"service", &s.service}, std::pair{"tag", &s.tag},
                                      std::pair{"created_by", &s.createdBy}, std::pair{"comment", &s.comment}}) {
        const QJsonValue v = in.value(QString::fromLatin1(key));
        if (v.isUndefined())
            continue;
        if (!v.isString())
            return bad(key, QStringLiteral("expected a string"));
        const bool selector = target == &s.service || target == &s.tag;
        const int max = selector ? kMaxSelectorChars : kMaxTextChars;
        if (v.toString().size() > max)
            return tooLarge(key, selector ? "max_selector_chars" : "max_text_chars",
                            QStringLiteral("longer than %1 characters (%2)")
                                .arg(max)
                                .arg(QLatin1String(selector ? "max_selector_chars" : "max_text_chars")));
        *target = v.toString().trimmed().toStdString();
    }
    // 0 or null: any rule (as stored documents say it).
    const QJsonValue rule = in.value(QStringLiteral("rule_id"));
    if (!rule.isUndefined() && !rule.isNull() && !(rule.isDouble() && rule.toDouble() == 0)) {
        if (!rule.isDouble() || rule.toDouble() < 1 || rule.toDouble() > 9e15
            || rule.toDouble() != double(qint64(rule.toDouble())))
            return bad("rule_id", QStringLiteral("expected a rule id"));
        s.ruleId = qint64(rule.toDouble());
    }
    if (s.service.empty() && s.ruleId == 0 && s.tag.empty())
        return bad("service", QStringLiteral("a silence needs at least one of service, rule_id or tag"));
    if (s.createdBy.empty())
        s.createdBy = "api";
    auto time = [&](const char *key, TimeNs *target, bool required) -> bool {
        const QJsonValue v = in.value(QString::fromLatin1(key));
        if (v.isUndefined())
            return !required;
        const auto t = v.isString() ? parseTimeText(v.toString().toStdString())
                       : v.isDouble() ? epochToNs(v.toDouble()) : std::nullopt;
        if (!t)
            return false;
        *target = *t;
        return true;
    };
    s.startsAt = now;
    if (!time("starts_at", &s.startsAt, false))
        return bad("starts_at", QStringLiteral("expected an ISO 8601 time or epoch number"));
    const QJsonValue duration = in.value(QStringLiteral("duration"));
    if (!duration.isUndefined()) {
        // A number is seconds; one past the bound is kept past it without overflowing the cast.
        const double number = duration.toDouble(-1);
        const auto seconds = duration.isString() ? parseDurationSeconds(duration.toString().toStdString())
                             : duration.isDouble() && std::isfinite(number)
                                 ? std::optional<std::int64_t>(std::int64_t(std::min(number, double(kMaxSeconds) + 1)))
                                 : std::nullopt;
        if (!seconds || *seconds <= 0)
            return bad("duration", QStringLiteral("expected a duration such as 2h"));
        if (*seconds > kMaxSeconds)
            return tooLarge("duration", "max_silence_duration", QStringLiteral("longer than 36600d (max_silence_duration)"));
        s.endsAt = s.startsAt + *seconds * kNsPerSec;
    } else if (!time("ends_at", &s.endsAt, true)) {
        return bad("ends_at", QStringLiteral("required (or a duration): an ISO 8601 time or epoch number"));
    }
    if (s.endsAt <= s.startsAt)
        return bad("ends_at", QStringLiteral("must be after starts_at"));
    if ((s.endsAt - s.startsAt) / kNsPerSec > kMaxSeconds)
        return tooLarge("ends_at", "max_silence_duration",
                        QStringLiteral("more than 36600d after starts_at (max_silence_duration)"));
    return s;
}

} // namespace fg
