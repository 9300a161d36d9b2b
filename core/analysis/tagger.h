#pragma once

#include <QJsonObject>
#include <QString>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/records.h"
#include "model/sharedsnapshot.h"

namespace fg {

// A tag and what earns it: any of its words or phrases in the message (any case; single words match
// whole words only), and/or an HTTP status at or above minStatus.
struct TagRule {
    std::string tag;
    std::vector<std::string> words;
    int minStatus = 0;
};

// The built-in rules (timeout, db, auth, oom, 5xx) plus the user's, as one immutable set.
class TagRules final {
public:
    explicit TagRules(std::vector<TagRule> userRules = {});
    // Tags of an event, sorted and unique.
    std::vector<std::string> tagsFor(const LogRecord &record) const;
    const std::vector<TagRule> &userRules() const { return m_user; }

    QJsonObject toJson() const; // {"rules":[…user rules…],"builtin":[…]}
    // Every event is matched against the rules on a decode worker, so they stay small.
    static constexpr int kMaxRules = 200;
    static constexpr int kMaxWordsPerRule = 100;
    static constexpr int kMaxWordChars = 128;
    // `limit`, when given, names the bound a refused document exceeded (empty for other errors).
    static std::optional<std::vector<TagRule>> rulesFromJson(const QJsonObject &json, QString *field, QString *message,
                                                             QString *limit = nullptr);

private:
    std::vector<TagRule> m_user;
    std::vector<TagRule> m_all;
    // Runs on every event, in one pass: each message word (lower-cased in a small buffer) is looked up
    // once; it may complete a single-word rule or start a phrase, checked in place. The cost does not
    // grow with the number of rules.
    struct WordEntry {
        std::vector<std::size_t> rules;                           // single-word rules
        std::vector<std::pair<std::string, std::size_t>> phrases; // rest of phrases starting here
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    };
    std::unordered_map<std::string, WordEntry, Hash, std::equal_to<>> m_words;
    // Bit n of entry c: some key of m_words is n characters long and begins with c. Most message words
    // fail this test and are never hashed.
    std::array<std::uint64_t, 256> m_lengthsByFirst{};
};

// Hands the current rules to every ingest thread and takes updates from the settings API.
class TagRulesHolder final : public SharedSnapshot<TagRules> {};

} // namespace fg
