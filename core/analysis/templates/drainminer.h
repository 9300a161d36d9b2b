#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fg {

// A log template: the constant words of a family of messages, variables replaced by <*>.
struct LogTemplate {
    std::int64_t id = 0;
    std::vector<std::string> tokens;
    std::string text() const;
};

// Drain (He, Zhu, Zheng, Lyu, ICWS 2017) log template mining for one service: messages are tokenised on
// white space, tokens with digits become <*>, and a fixed-depth tree (token count, then the first
// token) leads to a few candidate templates; the most similar one at or above `similarity` absorbs the
// message (differing positions become <*>), else it starts a new template. Ids are stable for the life of
// a template, also across restarts (restore()). Bounded: at most `maxTemplates`; beyond that messages
// that match nothing map to id 0 and are counted as overflow. One thread.
class DrainMiner final {
public:
    struct Params {
        double similarity = 0.5;
        std::size_t maxTemplates = 1000;
        std::size_t maxTokens = 64;
        std::size_t maxChildren = 100;
    };
    explicit DrainMiner(Params params);
    DrainMiner() : DrainMiner(Params{}) {}
    ~DrainMiner();
    DrainMiner(DrainMiner &&) noexcept;
    DrainMiner &operator=(DrainMiner &&) noexcept;

    struct Match {
        std::int64_t id = 0; // 0: over the cap
        bool created = false;
        bool changed = false; // an existing template generalised
    };
    Match add(std::string_view message);
    // Puts back a template stored earlier, with its id.
    void restore(std::int64_t id, std::string_view templateText);
    const LogTemplate *find(std::int64_t id) const;
    std::size_t size() const { return m_templates.size(); }
    std::uint64_t overflow() const { return m_overflow; }

    static std::vector<std::string> tokenize(std::string_view message, std::size_t maxTokens);

private:
    struct Node;
    Node &leafFor(const std::vector<std::string> &tokens);
    LogTemplate *insert(std::int64_t id, std::vector<std::string> tokens);

    Params m_params;
    std::unique_ptr<Node> m_root;
    std::unordered_map<std::int64_t, std::unique_ptr<LogTemplate>> m_templates;
    std::int64_t m_nextId = 1;
    std::uint64_t m_overflow = 0;
};

} // namespace fg
