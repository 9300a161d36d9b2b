#include "tagger.h"

#include <QJsonArray>

#include <algorithm>

namespace fg {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }
bool isWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

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
    for (std::size_t i = 0; i < m_all.size(); ++i)
        for (const std::string &w : m_all[i].words) {
            const std::size_t space = w.find(' ');
            if (space == std::string::npos)
                m_words[w].rules.push_back(i);
            else
                m_words[w.substr(0, space)].phrases.emplace_back(w.substr(space), i);
        }
    for (const auto &[w, entry] : m_words)
        if (!w.empty() && w.size() < 64)
            m_lengthsByFirst[std::uint8_t(w[0])] |= std::uint64_t(1) << w.size();
}

std::vector<std::string> TagRules::tagsFor(const LogRecord &r) const
{
    thread_local std::vector<char> hit; // reused: this runs for every ingested event
    hit.assign(m_all.size(), 0);
    for (std::size_t i = 0; i < m_all.size(); ++i)
        hit[i] = m_all[i].minStatus > 0 && r.statusCode >= m_all[i].minStatus;
    const std::string_view text = r.message;
    char word[32];
    std::size_t i = 0;
    while (i < text.size()) {
        if (!isWordChar(text[i])) {
            ++i;
            continue;
        }
        std::size_t end = i, n = 0;
        while (end < text.size() && isWordChar(text[end])) {
            if (n < sizeof word)
                word[n] = lower(text[end]);
            ++n;
            ++end;
        }
        if (n <= sizeof word && (m_lengthsByFirst[std::uint8_t(word[0])] >> n & 1)) {
            if (auto it = m_words.find(std::string_view(word, n)); it != m_words.end()) {
                for (std::size_t rule : it->second.rules)
                    hit[rule] = 1;
                for (const auto &[rest, rule] : it->second.phrases) {
                    // rest begins with the space after the first word
                    bool same = end + rest.size() <= text.size();
                    for (std::size_t k = 0; same && k < rest.size(); ++k)
                        same = lower(text[end + k]) == rest[k];
                    const std::size_t after = end + rest.size();
                    if (same && (after == text.size() || !isWordChar(text[after])))
                        hit[rule] = 1;
                }
            }
        }
        i = end;
    }
    std::vector<std::string> tags;
    for (std::size_t k = 0; k < m_all.size(); ++k)
        if (hit[k])
            tags.push_back(m_all[k].tag);
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

std::optional<std::vector<TagRule>> TagRules::rulesFromJson(const QJsonObject &json, QString *field, QString *message,
                                                            QString *limit)
{
    auto fail = [&](const QString &f, const QString &m) {
        *field = f;
        *message = m;
        return std::nullopt;
    };
    auto tooLarge = [&](const QString &f, const char *limitName, int max, const char *what) {
        if (limit)
            *limit = QString::fromLatin1(limitName);
        return fail(f, QStringLiteral("more than %1 %2 (%3)").arg(max).arg(QLatin1String(what), QLatin1String(limitName)));
    };
    for (const QString &k : json.keys())
        if (k != QLatin1String("rules") && k != QLatin1String("builtin"))
            return fail(k, QStringLiteral("is not a tag setting"));
    const QJsonValue rulesValue = json.value(QStringLiteral("rules"));
    if (!rulesValue.isArray())
        return fail(QStringLiteral("rules"), QStringLiteral("must be an array of {tag, words, min_status}"));
    std::vector<TagRule> out;
    const QJsonArray rules = rulesValue.toArray();
    if (rules.size() > kMaxRules)
        return tooLarge(QStringLiteral("rules"), "max_tag_rules", kMaxRules, "rules");
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
            if (words.toArray().size() > kMaxWordsPerRule)
                return tooLarge(where + QStringLiteral(".words"), "max_tag_words", kMaxWordsPerRule, "words");
            for (const QJsonValue &w : words.toArray()) {
                if (!w.isString() || w.toString().trimmed().isEmpty())
                    return fail(where + QStringLiteral(".words"), QStringLiteral("must be an array of non-empty strings"));
                if (w.toString().size() > kMaxWordChars)
                    return tooLarge(where + QStringLiteral(".words"), "max_tag_word_chars", kMaxWordChars, "characters in a word");
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
