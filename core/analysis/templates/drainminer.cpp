#include "drainminer.h"

namespace fg {

namespace {
const std::string kWildcard = "<*>";
// Tree levels below the token count. One: a variable second word ("User alice logged in") must not split
// a template, and the similarity test sorts out the rest.
constexpr std::size_t kPrefixDepth = 1;

bool hasDigit(std::string_view s)
{
    for (char c : s)
        if (c >= '0' && c <= '9')
            return true;
    return false;
}
} // namespace

struct DrainMiner::Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> children;
    std::vector<LogTemplate *> templates; // at leaves
};

std::string LogTemplate::text() const
{
    std::string out;
    for (const std::string &t : tokens) {
        if (!out.empty())
            out += ' ';
        out += t;
    }
    return out;
}

DrainMiner::DrainMiner(Params params) : m_params(params), m_root(std::make_unique<Node>()) {}
DrainMiner::~DrainMiner() = default;
DrainMiner::DrainMiner(DrainMiner &&) noexcept = default;
DrainMiner &DrainMiner::operator=(DrainMiner &&) noexcept = default;

std::vector<std::string> DrainMiner::tokenize(std::string_view s, std::size_t maxTokens)
{
    std::vector<std::string> tokens;
    std::size_t i = 0;
    while (i < s.size() && tokens.size() < maxTokens) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
            ++i;
        if (i >= s.size())
            break;
        std::size_t end = i;
        while (end < s.size() && s[end] != ' ' && s[end] != '\t' && s[end] != '\n' && s[end] != '\r')
            ++end;
        const std::string_view token = s.substr(i, end - i);
        // Numbers, ids, addresses, durations: variables.
        tokens.emplace_back(hasDigit(token) ? kWildcard : std::string(token));
        i = end;
    }
    return tokens;
}

DrainMiner::Node &DrainMiner::leafFor(const std::vector<std::string> &tokens)
{
    Node *node = m_root.get();
    auto child = [this](Node *n, const std::string &key) -> Node * {
        auto it = n->children.find(key);
        if (it != n->children.end())
            return it->second.get();
        // Too many distinct words at this level: they share the wildcard branch.
        const std::string &k = n->children.size() >= m_params.maxChildren ? kWildcard : key;
        auto &slot = n->children[k];
        if (!slot)
            slot = std::make_unique<Node>();
        return slot.get();
    };
    node = child(node, std::to_string(tokens.size()));
    for (std::size_t d = 0; d < kPrefixDepth && d < tokens.size(); ++d)
        node = child(node, tokens[d]);
    return *node;
}

LogTemplate *DrainMiner::insert(std::int64_t id, std::vector<std::string> tokens)
{
    auto t = std::make_unique<LogTemplate>();
    t->id = id;
    t->tokens = std::move(tokens);
    LogTemplate *raw = t.get();
    leafFor(raw->tokens).templates.push_back(raw);
    m_templates.emplace(id, std::move(t));
    m_nextId = std::max(m_nextId, id + 1);
    return raw;
}

DrainMiner::Match DrainMiner::add(std::string_view message)
{
    std::vector<std::string> tokens = tokenize(message, m_params.maxTokens);
    Node &leaf = leafFor(tokens);
    LogTemplate *best = nullptr;
    double bestSim = -1;
    for (LogTemplate *t : leaf.templates) {
        std::size_t same = 0;
        for (std::size_t i = 0; i < tokens.size(); ++i)
            same += t->tokens[i] == tokens[i] && t->tokens[i] != kWildcard ? 1 : 0;
        std::size_t wild = 0;
        for (const std::string &tok : t->tokens)
            wild += tok == kWildcard ? 1 : 0;
        // Empty messages and all-variable templates match each other exactly.
        const double sim = tokens.size() == wild ? 1.0 : double(same) / double(tokens.size() - wild);
        if (sim > bestSim) {
            bestSim = sim;
            best = t;
        }
    }
    Match m;
    if (best && bestSim >= m_params.similarity) {
        for (std::size_t i = 0; i < tokens.size(); ++i) {
            if (best->tokens[i] != tokens[i] && best->tokens[i] != kWildcard) {
                best->tokens[i] = kWildcard;
                m.changed = true;
            }
        }
        m.id = best->id;
        return m;
    }
    if (m_templates.size() >= m_params.maxTemplates) {
        ++m_overflow;
        return m;
    }
    m.id = insert(m_nextId, std::move(tokens))->id;
    m.created = true;
    return m;
}

void DrainMiner::restore(std::int64_t id, std::string_view templateText)
{
    if (m_templates.count(id))
        return;
    // Stored templates are already tokenised: split on spaces only, keep <*> as it is.
    std::vector<std::string> tokens;
    std::size_t i = 0;
    while (i < templateText.size()) {
        std::size_t end = templateText.find(' ', i);
        if (end == std::string_view::npos)
            end = templateText.size();
        if (end > i)
            tokens.emplace_back(templateText.substr(i, end - i));
        i = end + 1;
    }
    insert(id, std::move(tokens));
}

const LogTemplate *DrainMiner::find(std::int64_t id) const
{
    auto it = m_templates.find(id);
    return it == m_templates.end() ? nullptr : it->second.get();
}

} // namespace fg
