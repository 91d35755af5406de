// ParameterList and ParameterDict: tensors registered as a module's own parameters, in order, named "0", "1", ...
// or by key, as LibTorch's. Both are parameters of this module itself (named_parameters() lists them, optimizers
// and save() see them); neither has a forward.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "wick/nn/cloneable.h"

namespace wick::nn {

class ParameterListImpl : public Cloneable<ParameterListImpl> {
 public:
  using Iterator = OrderedDict<std::string, Tensor>::Iterator;
  using ConstIterator = OrderedDict<std::string, Tensor>::ConstIterator;

  ParameterListImpl() = default;
  template <class... Tensors>
  explicit ParameterListImpl(Tensors&&... tensors) {
    (append(std::forward<Tensors>(tensors)), ...);
  }
  // Registers the tensor as parameter "<size()>", keeping its requires_grad.
  void append(const Tensor& tensor);
  void append(const OrderedDict<std::string, Tensor>::Item& item) { append(item.value()); }
  template <class Container>
  void extend(const Container& container) {
    for (const auto& tensor : container) append(tensor);
  }

  size_t size() const noexcept { return parameters_.size(); }
  bool is_empty() const noexcept { return parameters_.is_empty(); }
  Tensor& at(size_t index);
  const Tensor& at(size_t index) const;
  Tensor& operator[](size_t index) { return at(index); }
  const Tensor& operator[](size_t index) const { return at(index); }
  Iterator begin() { return parameters_.begin(); }
  Iterator end() { return parameters_.end(); }
  ConstIterator begin() const { return parameters_.begin(); }
  ConstIterator end() const { return parameters_.end(); }

  void pretty_print(std::ostream& stream) const override;
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;
};
WICK_MODULE(ParameterList);

class ParameterDictImpl : public Cloneable<ParameterDictImpl> {
 public:
  using Iterator = OrderedDict<std::string, Tensor>::Iterator;
  using ConstIterator = OrderedDict<std::string, Tensor>::ConstIterator;

  ParameterDictImpl() = default;
  explicit ParameterDictImpl(const OrderedDict<std::string, Tensor>& parameters);

  // Registers the tensor under `key`, keeping its requires_grad; a key already present is an error (update()
  // replaces).
  Tensor& insert(std::string key, Tensor tensor);
  // Removes the parameter under `key` and returns it; an absent key is an error.
  Tensor pop(const std::string& key);
  // Adds or replaces each (key, tensor) of another ParameterDict or OrderedDict, in its order.
  template <class Container>
  void update(const Container& container) {
    for (const auto& item : container) insert_or_assign(item.key(), item.value());
  }
  void clear() { parameters_.clear(); }

  size_t size() const noexcept { return parameters_.size(); }
  bool empty() const noexcept { return parameters_.is_empty(); }
  bool contains(const std::string& key) const noexcept { return parameters_.contains(key); }
  std::vector<std::string> keys() const { return parameters_.keys(); }
  std::vector<Tensor> values() const { return parameters_.values(); }
  Tensor& get(const std::string& key) { return parameters_[key]; }
  const Tensor& get(const std::string& key) const { return parameters_[key]; }
  Tensor& operator[](const std::string& key) { return get(key); }
  const Tensor& operator[](const std::string& key) const { return get(key); }
  Iterator begin() { return parameters_.begin(); }
  Iterator end() { return parameters_.end(); }
  ConstIterator begin() const { return parameters_.begin(); }
  ConstIterator end() const { return parameters_.end(); }

  void pretty_print(std::ostream& stream) const override;
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;

 private:
  void insert_or_assign(const std::string& key, const Tensor& tensor);
};
WICK_MODULE(ParameterDict);

}  // namespace wick::nn
