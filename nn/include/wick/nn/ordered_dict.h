// An insertion-ordered map with lookup by key, as LibTorch's torch::OrderedDict: what named_parameters(),
// named_buffers() and named_children() return. Indexable by key ([], find, contains) and by position.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "wick/error.h"

namespace wick {

template <class Key, class Value>
class OrderedDict {
 public:
  class Item {
   public:
    Item(Key key, Value value) : pair_(std::move(key), std::move(value)) {}
    const Key& key() const noexcept { return pair_.first; }
    Value& value() noexcept { return pair_.second; }
    const Value& value() const noexcept { return pair_.second; }
    Value& operator*() noexcept { return pair_.second; }
    const Value& operator*() const noexcept { return pair_.second; }
    Value* operator->() noexcept { return &pair_.second; }
    const Value* operator->() const noexcept { return &pair_.second; }
    const std::pair<Key, Value>& pair() const noexcept { return pair_; }

   private:
    std::pair<Key, Value> pair_;
  };
  using Iterator = typename std::vector<Item>::iterator;
  using ConstIterator = typename std::vector<Item>::const_iterator;

  explicit OrderedDict(std::string key_description = "Key") : key_description_(std::move(key_description)) {}
  // Pre-populated in order, as LibTorch's: OrderedDict<std::string, Tensor>{{"a", a}, {"b", b}}. A repeated key is
  // an error.
  OrderedDict(std::initializer_list<Item> items) : OrderedDict() {
    for (const Item& item : items) insert(item.key(), item.value());
  }

  const std::string& key_description() const noexcept { return key_description_; }
  size_t size() const noexcept { return items_.size(); }
  bool is_empty() const noexcept { return items_.empty(); }
  bool empty() const noexcept { return items_.empty(); }

  Iterator begin() { return items_.begin(); }
  Iterator end() { return items_.end(); }
  ConstIterator begin() const { return items_.begin(); }
  ConstIterator end() const { return items_.end(); }
  Item& front() { return at_index(0); }
  const Item& front() const { return at_index(0); }
  Item& back() { return at_index(items_.size() - 1); }
  const Item& back() const { return at_index(items_.size() - 1); }
  Item& operator[](size_t index) { return at_index(index); }
  const Item& operator[](size_t index) const { return at_index(index); }

  Value& operator[](const Key& key) {
    if (Value* v = find(key)) return *v;
    missing(key);
  }
  const Value& operator[](const Key& key) const {
    if (const Value* v = find(key)) return *v;
    missing(key);
  }
  Value* find(const Key& key) noexcept {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  const Value* find(const Key& key) const noexcept {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].value();
  }
  bool contains(const Key& key) const noexcept { return index_.count(key) != 0; }

  // Adds a new entry; a key that is already present is an error.
  template <class K, class... Args>
  Value& insert(K&& key, Args&&... args) {
    Key k(std::forward<K>(key));
    if (contains(k)) fail("OrderedDict", key_description_, " '", describe(k), "' already defined");
    index_.emplace(k, items_.size());
    items_.emplace_back(std::move(k), Value(std::forward<Args>(args)...));
    return items_.back().value();
  }
  // Adds or replaces.
  Value& insert_or_assign(const Key& key, Value value) {
    if (Value* v = find(key)) return *v = std::move(value);
    return insert(key, std::move(value));
  }
  void update(const OrderedDict& other) {
    for (const Item& item : other) insert_or_assign(item.key(), item.value());
  }
  void erase(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) missing(key);
    const size_t at = it->second;
    index_.erase(it);
    items_.erase(items_.begin() + std::ptrdiff_t(at));
    for (auto& kv : index_)
      if (kv.second > at) --kv.second;
  }
  void clear() {
    index_.clear();
    items_.clear();
  }

  const std::vector<Item>& items() const noexcept { return items_; }
  std::vector<Key> keys() const {
    std::vector<Key> out;
    out.reserve(items_.size());
    for (const Item& i : items_) out.push_back(i.key());
    return out;
  }
  std::vector<Value> values() const {
    std::vector<Value> out;
    out.reserve(items_.size());
    for (const Item& i : items_) out.push_back(i.value());
    return out;
  }
  std::vector<std::pair<Key, Value>> pairs() const {
    std::vector<std::pair<Key, Value>> out;
    out.reserve(items_.size());
    for (const Item& i : items_) out.push_back(i.pair());
    return out;
  }
  void reserve(size_t n) {
    index_.reserve(n);
    items_.reserve(n);
  }

 private:
  static std::string describe(const Key& key) {
    if constexpr (std::is_convertible_v<const Key&, std::string>) return std::string(key);
    else return "?";
  }
  Item& at_index(size_t i) {
    if (i >= items_.size())
      fail("OrderedDict", "index ", (unsigned long)i, " is out of range (size ", (unsigned long)items_.size(), ")");
    return items_[i];
  }
  const Item& at_index(size_t i) const { return const_cast<OrderedDict*>(this)->at_index(i); }
  [[noreturn]] void missing(const Key& key) const {
    fail("OrderedDict", key_description_, " '", describe(key), "' is not defined");
  }

  std::unordered_map<Key, size_t> index_;
  std::vector<Item> items_;
  std::string key_description_;
};

}  // namespace wick
