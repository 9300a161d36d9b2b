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
// The trees are flat arrays of 16-byte nodes in pre-order (a node's left child follows it), about 3 KB a
// tree: a detector per service can afford one. The random generator (5 KB of state) exists from the first
// fit on: most detectors never grow a forest.
class IsolationForest final {
public:
    using Point = std::vector<double>;
    explicit IsolationForest(int trees = 100, std::size_t sampleSize = 128, std::uint32_t seed = 42);

    void fit(const std::vector<Point> &points);
    bool trained() const { return !m_roots.empty(); }
    // Forgets the trees (the next fit grows new ones).
    void clear();
    double score(const Point &x) const;
    std::size_t memoryBytes() const
    {
        return m_nodes.capacity() * sizeof(Node) + m_roots.capacity() * sizeof(std::uint32_t) + (m_rng ? sizeof(*m_rng) : 0);
    }

private:
    struct Node {
        double split = 0;
        std::uint32_t right = 0;   // index of the right child; 0 at a leaf
        std::uint16_t feature = 0;
        std::uint16_t size = 0;    // points at a leaf
    };
    void grow(std::vector<const Point *> &points, std::size_t begin, std::size_t end, int depth, int maxDepth);
    double pathLength(std::size_t root, const Point &x) const;

    int m_treeCount;
    std::size_t m_sampleSize;
    std::uint32_t m_seed;
    std::unique_ptr<std::mt19937> m_rng; // continues from one fit to the next
    std::vector<Node> m_nodes;
    std::vector<std::uint32_t> m_roots;
    double m_norm = 1; // c(sample size)
};

} // namespace fg
