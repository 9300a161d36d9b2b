#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

namespace fg {

// Isolation Forest (Liu, Ting, Zhou, ICDM 2008): points that random axis-parallel splits isolate in
// few steps are anomalous. fit() grows `trees` trees on random subsamples of at most `sampleSize`
// points; score() is 2^(−E[h(x)] / c(n)), about 0.5 for ordinary points and towards 1 for outliers.
// Deterministic for a given seed. Used on the per-minute KPI vector of a service, where it sees
// combinations no single series shows.
class IsolationForest final {
public:
    using Point = std::vector<double>;
    explicit IsolationForest(int trees = 100, std::size_t sampleSize = 128, std::uint32_t seed = 42);
    ~IsolationForest();
    IsolationForest(IsolationForest &&) noexcept;
    IsolationForest &operator=(IsolationForest &&) noexcept;

    void fit(const std::vector<Point> &points);
    bool trained() const { return !m_trees.empty(); }
    double score(const Point &x) const;

private:
    struct Node;
    std::unique_ptr<Node> grow(std::vector<const Point *> &points, std::size_t begin, std::size_t end, int depth,
                               int maxDepth);
    static double pathLength(const Node *node, const Point &x, int depth);

    int m_treeCount;
    std::size_t m_sampleSize;
    std::mt19937 m_rng;
    std::vector<std::unique_ptr<Node>> m_trees;
    double m_norm = 1; // c(sample size)
};

} // namespace fg
