#pragma once
// A list with a fixed capacity stored inline: quote results hold their few sections and
// codes without a heap allocation, which keeps a quote well under a microsecond.

#include <array>
#include <cstddef>
#include <stdexcept>

namespace cybercover {

template <typename T, std::size_t Capacity>
class FixedList {
 public:
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  static constexpr std::size_t capacity() { return Capacity; }

  void push_back(const T& value) {
    if (size_ == Capacity) throw std::length_error("FixedList capacity exceeded");
    items_[size_++] = value;
  }
  T& operator[](std::size_t i) { return items_[i]; }
  const T& operator[](std::size_t i) const { return items_[i]; }
  T* begin() { return items_.data(); }
  T* end() { return items_.data() + size_; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }
  T& back() { return items_[size_ - 1]; }

 private:
  std::array<T, Capacity> items_{};
  std::size_t size_ = 0;
};

// Most top-up sections an edition may define (checked when tables load).
inline constexpr std::size_t kMaxSections = 8;

}  // namespace cybercover
