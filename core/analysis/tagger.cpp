#include "tagger.h"

#include <QJsonArray>

#include <algorithm>

namespace fg {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
bool isWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

// Case-insensitive search; a needle without spaces must stand as a whole word.
bool contains(std::string_view hay, std::string_view needle)
{
    if (needle.empty() || needle.size() > hay.size())
        return false;
    const bool phrase = needle.find(' ') != std::string_view::npos;
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        std::size_t k = 0;
        while (k < needle.size() && lower(hay[i + k]) == needle[k])
            ++k;
        if (k != needle.size())
            continue;
        if (phrase)
            return true;
        const bool startOk = i == 0 || !isWordChar(hay[i - 1]);
        const bool endOk = i + k == hay.size() || !isWordChar(hay[i + k]);
        if (startOk && endOk)
            return true;
    }
    return false;
}

std::vector<TagRule> builtins()
{
    return {
        {"timeout", {"timeout", "timed out", "deadline exceeded", "etimedout"}, 0},
        {"db", {"database", "sql", "postgres", "postgresql", "mysql", "sqlite", "deadlock", "connection pool", "query"}, 0},
        {"auth", {"auth", "authentication", "unauthorized", "forbidden", "token", "login", "permission denied"}, 0},
        {"oom", {"out of memory", "oom", "outofmemoryerror", "oomkilled", "cannot allocate memory"}, 0},
        {"5xx", {}, 500},
    };
}

std::string lowered(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](char c) { return lower(c); });
    return s;
}

} // namespace

TagRules::TagRules(std::vector<TagRule> userRules) : m_user(std::move(userRules)), m_all(builtins())
{
    for (TagRule r : m_user) {
        for (std::string &w : r.words)
            w = lowered(w);
        m_all.push_back(std::move(r));
    }
}

std::vector<std::string> TagRules::tagsFor(const LogRecord &r) const
{
    std::vector<std::string> tags;
    for (const TagRule &rule : m_all) {
        bool hit = rule.minStatus > 0 && r.statusCode >= rule.minStatus;
        for (std::size_t i = 0; !hit && i < rule.words.size(); ++i)
            hit = contains(r.message, rule.words[i]);
        if (hit)
            tags.push_back(rule.tag);
    }
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    return tags;
}

QJsonObject TagRules::toJson() const
{
    auto rules = [](const std::vector<TagRule> &list) {
        QJsonArray out;
        for (const TagRule &r : list) {
            QJsonArray words;
            for (const std::string &w : r.words)
                words.append(QString::fromStdString(w));
            QJsonObject o{{QStringLiteral("tag"), QString::fromStdString(r.tag)}, {QStringLiteral("words"), words}};
            if (r.minStatus)
                o.insert(QStringLiteral("min_status"), r.minStatus);
            out.append(o);
        }
        return out;
    };
    return QJsonObject{{QStringLiteral("rules"), rules(m_user)}, {QStringLiteral("builtin"), rules(builtins())}};
}

std::optional<std::vector<TagRule>> TagRules::rulesFromJson(const QJsonObject &json, QString *field, QString *message)
{
    auto fail = [&](const QString &f, const QString &m) {
        *field = f;
        *message = m;
        return std::nullopt;
    };
    for (const QString &k : json.keys())
        if (k != QLatin1String("rules") && k != QLatin1String("builtin"))
            return fail(k, QStringLiteral("is not a tag setting"));
    const QJsonValue rulesValue = json.value(QStringLiteral("rules"));
    if (!rulesValue.isArray())
        return fail(QStringLiteral("rules"), QStringLiteral("must be an array of {tag, words, min_status}"));
    std::vector<TagRule> out;
    const QJsonArray rules = rulesValue.toArray();
    for (qsizetype i = 0; i < rules.size(); ++i) {
        const QString where = QStringLiteral("rules[%1]").arg(i);
        const QJsonObject o = rules[i].toObject();
        TagRule r;
        const QString tag = o.value(QStringLiteral("tag")).toString();
        if (tag.isEmpty() || tag.size() > 64 || tag.contains(QLatin1Char(',')))
            return fail(where + QStringLiteral(".tag"), QStringLiteral("must be a name of 1 to 64 characters without commas"));
        r.tag = tag.toStdString();
        const QJsonValue words = o.value(QStringLiteral("words"));
        if (!words.isUndefined()) {
            if (!words.isArray())
                return fail(where + QStringLiteral(".words"), QStringLiteral("must be an array of strings"));
            for (const QJsonValue &w : words.toArray()) {
                if (!w.isString() || w.toString().trimmed().isEmpty())
                    return fail(where + QStringLiteral(".words"), QStringLiteral("must be an array of non-empty strings"));
                r.words.push_back(w.toString().trimmed().toStdString());
            }
        }
        const QJsonValue status = o.value(QStringLiteral("min_status"));
        if (!status.isUndefined()) {
            if (!status.isDouble() || status.toInt() < 100 || status.toInt() > 599)
                return fail(where + QStringLiteral(".min_status"), QStringLiteral("must be an HTTP status from 100 to 599"));
            r.minStatus = status.toInt();
        }
        if (r.words.empty() && r.minStatus == 0)
            return fail(where, QStringLiteral("needs words or min_status"));
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace fg
