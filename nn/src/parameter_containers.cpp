// ParameterList and ParameterDict.
#include "wick/nn/modules/parameter_containers.h"

#include <ostream>

namespace wick::nn {

namespace {

// LibTorch's listing of a container's parameters, one per line.
void print_parameters(std::ostream& stream, const char* name, const OrderedDict<std::string, Tensor>& parameters) {
  stream << "wick::nn::" << name << "(\n";
  for (const auto& p : parameters)
    stream << "(" << p.key() << "): Parameter containing: [" << p.value().scalar_type() << " of size "
           << p.value().sizes() << "]\n";
  stream << ")";
}

}  // namespace

// ---- ParameterList -----------------------------------------------------------------------------------------

void ParameterListImpl::append(const Tensor& tensor) {
  WICK_CHECK(tensor.defined(), "nn::ParameterList", "cannot append an undefined tensor");
  register_parameter(std::to_string(parameters_.size()), tensor, tensor.requires_grad());
}

Tensor& ParameterListImpl::at(size_t index) {
  WICK_CHECK(index < size(), "nn::ParameterList", "index ", (unsigned long)index, " is out of range for ",
             (unsigned long)size(), " parameters");
  return parameters_[index].value();
}

const Tensor& ParameterListImpl::at(size_t index) const { return const_cast<ParameterListImpl*>(this)->at(index); }

void ParameterListImpl::pretty_print(std::ostream& stream) const {
  print_parameters(stream, "ParameterList", parameters_);
}

std::shared_ptr<Module> ParameterListImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ParameterListImpl>(*this);
  clone_own_tensors(*copy, device);
  return copy;
}

// ---- ParameterDict -----------------------------------------------------------------------------------------

ParameterDictImpl::ParameterDictImpl(const OrderedDict<std::string, Tensor>& parameters) {
  for (const auto& item : parameters) insert(item.key(), item.value());
}

Tensor& ParameterDictImpl::insert(std::string key, Tensor tensor) {
  WICK_CHECK(tensor.defined(), "nn::ParameterDict", "cannot insert an undefined tensor under '", key, "'");
  const bool requires_grad = tensor.requires_grad();
  return register_parameter(std::move(key), std::move(tensor), requires_grad);
}

void ParameterDictImpl::insert_or_assign(const std::string& key, const Tensor& tensor) {
  if (!contains(key)) {
    insert(key, tensor);
    return;
  }
  WICK_CHECK(tensor.defined(), "nn::ParameterDict", "cannot assign an undefined tensor to '", key, "'");
  parameters_[key] = tensor;
}

Tensor ParameterDictImpl::pop(const std::string& key) {
  Tensor tensor = parameters_[key];  // names the key when it is absent
  parameters_.erase(key);
  return tensor;
}

void ParameterDictImpl::pretty_print(std::ostream& stream) const {
  print_parameters(stream, "ParameterDict", parameters_);
}

std::shared_ptr<Module> ParameterDictImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ParameterDictImpl>(*this);
  clone_own_tensors(*copy, device);
  return copy;
}

}  // namespace wick::nn
