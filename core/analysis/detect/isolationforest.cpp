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

IsolationForest::IsolationForest(int trees, std::size_t sampleSize, std::uint32_t seed)
    : m_treeCount(trees), m_sampleSize(std::min<std::size_t>(sampleSize, 0xffff)), m_seed(seed)
{
}

void IsolationForest::clear()
{
    m_nodes = {};
    m_roots = {};
}

void IsolationForest::fit(const std::vector<Point> &points)
{
    clear();
    if (points.size() < 2)
        return;
    const std::size_t n = std::min(m_sampleSize, points.size());
    const int maxDepth = int(std::ceil(std::log2(double(n))));
    m_norm = c(double(n));
    std::vector<const Point *> all;
    for (const Point &p : points)
        all.push_back(&p);
    if (!m_rng)
        m_rng = std::make_unique<std::mt19937>(m_seed);
    m_roots.reserve(std::size_t(m_treeCount));
    for (int t = 0; t < m_treeCount; ++t) {
        std::shuffle(all.begin(), all.end(), *m_rng);
        std::vector<const Point *> sample(all.begin(), all.begin() + long(n));
        m_roots.push_back(std::uint32_t(m_nodes.size()));
        grow(sample, 0, sample.size(), 0, maxDepth);
    }
    m_nodes.shrink_to_fit();
}

void IsolationForest::grow(std::vector<const Point *> &pts, std::size_t begin, std::size_t end, int depth,
                           int maxDepth)
{
    const std::size_t self = m_nodes.size();
    m_nodes.push_back(Node{0, 0, 0, std::uint16_t(end - begin)});
    if (depth >= maxDepth || end - begin <= 1)
        return;
    const std::size_t dims = pts[begin]->size();
    // A random feature that still varies among these points.
    for (std::size_t attempt = 0; attempt < dims * 2; ++attempt) {
        const std::size_t f = std::uniform_int_distribution<std::size_t>(0, dims - 1)(*m_rng);
        double lo = (*pts[begin])[f], hi = lo;
        for (std::size_t i = begin; i < end; ++i) {
            lo = std::min(lo, (*pts[i])[f]);
            hi = std::max(hi, (*pts[i])[f]);
        }
        if (!(hi > lo))
            continue;
        const double split = std::uniform_real_distribution<double>(lo, hi)(*m_rng);
        const auto mid = std::partition(pts.begin() + long(begin), pts.begin() + long(end),
                                        [&](const Point *p) { return (*p)[f] < split; });
        const std::size_t m = std::size_t(mid - pts.begin());
        grow(pts, begin, m, depth + 1, maxDepth);
        const std::size_t right = m_nodes.size();
        grow(pts, m, end, depth + 1, maxDepth);
        m_nodes[self] = Node{split, std::uint32_t(right), std::uint16_t(f), 0};
        return;
    }
    // all points equal: a leaf
}

double IsolationForest::pathLength(std::size_t node, const Point &x) const
{
    int depth = 0;
    while (m_nodes[node].right) {
        const Node &n = m_nodes[node];
        node = x[n.feature] < n.split ? node + 1 : n.right;
        ++depth;
    }
    return depth + c(double(m_nodes[node].size));
}

double IsolationForest::score(const Point &x) const
{
    if (m_roots.empty() || m_norm <= 0)
        return 0.5;
    double total = 0;
    for (const std::uint32_t root : m_roots)
        total += pathLength(root, x);
    return std::pow(2.0, -(total / double(m_roots.size())) / m_norm);
}

} // namespace fg
