#pragma once
// A list with a fixed capacity stored inline: quote results hold their few sections and
// codes without a heap allocation. Only the elements in use are constructed and copied,
// which keeps a result cheap to build and to return by value.

#include <cstddef>
#include <new>
#include <stdexcept>
#include <type_traits>

namespace cybercover {

template <typename T, std::size_t Capacity>
class FixedList {
  static_assert(std::is_trivially_destructible_v<T>, "FixedList holds plain result records");

 public:
  FixedList() {}  // user-provided: value-initialising a holder must not zero the storage
  FixedList(const FixedList& other) { copy_from(other); }
  FixedList& operator=(const FixedList& other) {
    if (this != &other) {
      size_ = 0;
      copy_from(other);
    }
    return *this;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  static constexpr std::size_t capacity() { return Capacity; }

  // Appends a default-initialised element (its member initialisers run; nothing else is
  // zeroed) and returns it, to be filled in place.
  T& emplace_back() {
    if (size_ == Capacity) throw std::length_error("FixedList capacity exceeded");
    T* p = new (slot(size_)) T;
    ++size_;
    return *p;
  }
  void push_back(const T& value) {
    if (size_ == Capacity) throw std::length_error("FixedList capacity exceeded");
    new (slot(size_)) T(value);
    ++size_;
  }
  T& operator[](std::size_t i) { return *data_at(i); }
  const T& operator[](std::size_t i) const { return *data_at(i); }
  T* begin() { return data_at(0); }
  T* end() { return data_at(size_); }
  const T* begin() const { return data_at(0); }
  const T* end() const { return data_at(size_); }
  T& back() { return *data_at(size_ - 1); }

 private:
  void copy_from(const FixedList& other) {
    for (const T& v : other) push_back(v);
  }
  void* slot(std::size_t i) { return storage_ + i * sizeof(T); }
  T* data_at(std::size_t i) { return std::launder(reinterpret_cast<T*>(storage_ + i * sizeof(T))); }
  const T* data_at(std::size_t i) const { return std::launder(reinterpret_cast<const T*>(storage_ + i * sizeof(T))); }

  alignas(T) unsigned char storage_[sizeof(T) * Capacity];
  std::size_t size_ = 0;
};

// Most top-up sections an edition may define (checked when tables load).
inline constexpr std::size_t kMaxSections = 8;

}  // namespace cybercover
