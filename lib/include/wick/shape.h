// Shapes and strides: a small inline vector (no heap allocation up to 8 dims) and a non-owning view of
// integers (IntArrayRef) that accepts braces, vectors and shapes alike, as LibTorch's does.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <vector>

#include "wick/error.h"

namespace wick {

class IntArrayRef {
 public:
  constexpr IntArrayRef() = default;
  constexpr IntArrayRef(const int64_t* data, size_t size) : data_(data), size_(size) {}
  // Lifetime of the braces ends with the full expression, exactly as for c10::IntArrayRef. GCC warns about that;
  // clang has no such warning, and would warn about the unknown name instead.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  constexpr IntArrayRef(std::initializer_list<int64_t> list) : data_(list.begin()), size_(list.size()) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  IntArrayRef(const std::vector<int64_t>& v) : data_(v.data()), size_(v.size()) {}
  constexpr IntArrayRef(const int64_t& single) : data_(&single), size_(1) {}

  constexpr const int64_t* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const int64_t* begin() const { return data_; }
  constexpr const int64_t* end() const { return data_ + size_; }
  constexpr int64_t operator[](size_t i) const { return data_[i]; }
  constexpr int64_t front() const { return data_[0]; }
  constexpr int64_t back() const { return data_[size_ - 1]; }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }
  bool equals(IntArrayRef o) const {
    return size_ == o.size_ && (size_ == 0 || std::memcmp(data_, o.data_, size_ * 8) == 0);
  }
  bool operator==(IntArrayRef o) const { return equals(o); }
  // The elements from n on, or n..n+m, as c10::ArrayRef::slice (out of range is an error, not UB).
  IntArrayRef slice(size_t n) const { return slice(n, size_ - (n <= size_ ? n : size_)); }
  IntArrayRef slice(size_t n, size_t m) const {
    if (n + m > size_) fail("IntArrayRef::slice", "elements ", n, "..", n + m, " of ", size_, " requested");
    return IntArrayRef(data_ + n, m);
  }

 private:
  const int64_t* data_ = nullptr;
  size_t size_ = 0;
};

// Inline storage for up to kInline dims; larger shapes spill to the heap.
class SizeVec {
 public:
  static constexpr size_t kInline = 8;

  SizeVec() = default;
  explicit SizeVec(size_t n, int64_t value = 0) { assign(n, value); }
  SizeVec(IntArrayRef r) { assign(r); }
  SizeVec(std::initializer_list<int64_t> l) { assign(IntArrayRef(l)); }
  SizeVec(const SizeVec& o) { assign(IntArrayRef(o)); }
  SizeVec(SizeVec&& o) noexcept { steal(o); }
  SizeVec& operator=(const SizeVec& o) {
    if (this != &o) assign(IntArrayRef(o));
    return *this;
  }
  SizeVec& operator=(SizeVec&& o) noexcept {
    if (this != &o) {
      release();
      steal(o);
    }
    return *this;
  }
  ~SizeVec() { release(); }

  operator IntArrayRef() const { return IntArrayRef(data_, size_); }
  int64_t* data() { return data_; }
  const int64_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* begin() { return data_; }
  int64_t* end() { return data_ + size_; }
  const int64_t* begin() const { return data_; }
  const int64_t* end() const { return data_ + size_; }
  int64_t& operator[](size_t i) { return data_[i]; }
  int64_t operator[](size_t i) const { return data_[i]; }
  int64_t& back() { return data_[size_ - 1]; }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }
  bool operator==(IntArrayRef o) const { return IntArrayRef(*this).equals(o); }

  void assign(size_t n, int64_t value) {
    reserve(n);
    for (size_t i = 0; i < n; ++i) data_[i] = value;
    size_ = n;
  }
  void assign(IntArrayRef r) {
    reserve(r.size());
    if (r.size()) std::memmove(data_, r.data(), r.size() * sizeof(int64_t));
    size_ = r.size();
  }
  void resize(size_t n, int64_t value = 0) {
    reserve(n);
    for (size_t i = size_; i < n; ++i) data_[i] = value;
    size_ = n;
  }
  void push_back(int64_t v) {
    reserve(size_ + 1);
    data_[size_++] = v;
  }
  void insert(size_t pos, int64_t v) {
    reserve(size_ + 1);
    std::memmove(data_ + pos + 1, data_ + pos, (size_ - pos) * sizeof(int64_t));
    data_[pos] = v;
    ++size_;
  }
  void erase(size_t pos) {
    std::memmove(data_ + pos, data_ + pos + 1, (size_ - pos - 1) * sizeof(int64_t));
    --size_;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }

 private:
  void reserve(size_t n) {
    if (n <= capacity_) return;
    size_t cap = capacity_ * 2 > n ? capacity_ * 2 : n;
    auto* heap = static_cast<int64_t*>(std::malloc(cap * sizeof(int64_t)));
    if (size_) std::memcpy(heap, data_, size_ * sizeof(int64_t));
    release();
    data_ = heap;
    capacity_ = cap;
  }
  void release() {
    if (data_ != inline_) std::free(data_);
    data_ = inline_;
    capacity_ = kInline;
  }
  void steal(SizeVec& o) {
    if (o.data_ == o.inline_) {
      data_ = inline_;
      capacity_ = kInline;
      std::memcpy(inline_, o.inline_, o.size_ * sizeof(int64_t));
    } else {
      data_ = o.data_;
      capacity_ = o.capacity_;
      o.data_ = o.inline_;
      o.capacity_ = kInline;
    }
    size_ = o.size_;
    o.size_ = 0;
  }

  int64_t* data_ = inline_;
  size_t size_ = 0;
  size_t capacity_ = kInline;
  int64_t inline_[kInline];
};

// "[2, 3]" as error messages and printing spell shapes.
std::string shape_str(IntArrayRef shape);
// Prints [2, 3], as LibTorch prints sizes().
std::ostream& operator<<(std::ostream& os, IntArrayRef shape);

// Product of sizes (1 for a 0-dim shape).
// A count past int64 (signed overflow is UB) throws: no tensor that large can exist, even as an expanded view.
inline int64_t product(IntArrayRef shape) {
  int64_t n = 1;
  bool overflow = false, has_zero = false;
  for (int64_t s : shape) {
    overflow = __builtin_mul_overflow(n, s, &n) || overflow;
    has_zero = has_zero || s == 0;
  }
  // A wrapped product can be any value, 0 included ([2^32, 2^32]); only a zero-sized dim makes it truly 0.
  if (__builtin_expect(overflow, 0)) {
    if (has_zero) return 0;
    fail("shape", shape_str(shape), " has more elements than int64 counts");
  }
  return n;
}

// Row-major strides for a shape.
SizeVec contiguous_strides(IntArrayRef shape);

// Wraps a possibly negative dim into [0, ndim); throws naming `op` when out of range.
int64_t wrap_dim(const char* op, int64_t dim, int64_t ndim);

}  // namespace wick
