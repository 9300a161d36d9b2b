#pragma once

#include <vector>

namespace fg {

// A detector's short queue of per-minute values (a handful to a few hundred small items) with std::deque's
// front and back operations, on a vector: a deque allocates its map and a 512-byte block even when empty,
// about 4 KB for a detector's six queues, while moving a few hundred bytes once a minute costs nothing.
template <typename T>
class MinuteQueue final : public std::vector<T> {
public:
    void push_front(const T &value) { this->insert(this->begin(), value); }
    void pop_front() { this->erase(this->begin()); }
    std::size_t memoryBytes() const { return this->capacity() * sizeof(T); }
};

} // namespace fg
