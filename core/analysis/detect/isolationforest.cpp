#include "isolationforest.h"

#include <algorithm>
#include <cmath>

namespace fg {

namespace {
// Average path length of an unsuccessful search in a binary search tree of n points.
double c(double n)
{
    if (n <= 1)
        return 0;
    if (n == 2)
        return 1;
    return 2.0 * (std::log(n - 1) + 0.5772156649) - 2.0 * (n - 1) / n;
}
} // namespace

struct IsolationForest::Node {
    std::size_t feature = 0;
    double split = 0;
    std::size_t size = 0; // points at a leaf
    std::unique_ptr<Node> left, right;
};

IsolationForest::IsolationForest(int trees, std::size_t sampleSize, std::uint32_t seed)
    : m_treeCount(trees), m_sampleSize(sampleSize), m_rng(seed)
{
}

IsolationForest::~IsolationForest() = default;
IsolationForest::IsolationForest(IsolationForest &&) noexcept = default;
IsolationForest &IsolationForest::operator=(IsolationForest &&) noexcept = default;

void IsolationForest::fit(const std::vector<Point> &points)
{
    m_trees.clear();
    if (points.size() < 2)
        return;
    const std::size_t n = std::min(m_sampleSize, points.size());
    const int maxDepth = int(std::ceil(std::log2(double(n))));
    m_norm = c(double(n));
    std::vector<const Point *> all;
    for (const Point &p : points)
        all.push_back(&p);
    for (int t = 0; t < m_treeCount; ++t) {
        std::shuffle(all.begin(), all.end(), m_rng);
        std::vector<const Point *> sample(all.begin(), all.begin() + long(n));
        m_trees.push_back(grow(sample, 0, sample.size(), 0, maxDepth));
    }
}

std::unique_ptr<IsolationForest::Node> IsolationForest::grow(std::vector<const Point *> &pts, std::size_t begin,
                                                             std::size_t end, int depth, int maxDepth)
{
    auto node = std::make_unique<Node>();
    node->size = end - begin;
    if (depth >= maxDepth || node->size <= 1)
        return node;
    const std::size_t dims = pts[begin]->size();
    // A random feature that still varies among these points.
    for (std::size_t attempt = 0; attempt < dims * 2; ++attempt) {
        const std::size_t f = std::uniform_int_distribution<std::size_t>(0, dims - 1)(m_rng);
        double lo = (*pts[begin])[f], hi = lo;
        for (std::size_t i = begin; i < end; ++i) {
            lo = std::min(lo, (*pts[i])[f]);
            hi = std::max(hi, (*pts[i])[f]);
        }
        if (!(hi > lo))
            continue;
        const double split = std::uniform_real_distribution<double>(lo, hi)(m_rng);
        const auto mid = std::partition(pts.begin() + long(begin), pts.begin() + long(end),
                                        [&](const Point *p) { return (*p)[f] < split; });
        const std::size_t m = std::size_t(mid - pts.begin());
        node->feature = f;
        node->split = split;
        node->left = grow(pts, begin, m, depth + 1, maxDepth);
        node->right = grow(pts, m, end, depth + 1, maxDepth);
        return node;
    }
    return node; // all points equal: a leaf
}

double IsolationForest::pathLength(const Node *node, const Point &x, int depth)
{
    if (!node->left)
        return depth + c(double(node->size));
    return pathLength(x[node->feature] < node->split ? node->left.get() : node->right.get(), x, depth + 1);
}

double IsolationForest::score(const Point &x) const
{
    if (m_trees.empty() || m_norm <= 0)
        return 0.5;
    double total = 0;
    for (const auto &t : m_trees)
        total += pathLength(t.get(), x, 0);
    return std::pow(2.0, -(total / double(m_trees.size())) / m_norm);
}

} // namespace fg
