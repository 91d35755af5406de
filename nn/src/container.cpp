// Sequential, ModuleList, ModuleDict, Functional and AnyModule.
#include "wick/nn/modules/container.h"

#include <ostream>
#include <typeinfo>

namespace wick::nn {

Tensor AnyModule::forward(const Tensor& input) const {
  WICK_CHECK(module_ != nullptr, "nn::AnyModule", "calling forward on an empty AnyModule");
  return forward_(module_.get(), input);
}

AnyModule AnyModule::clone(const std::optional<Device>& device) const {
  WICK_CHECK(module_ != nullptr, "nn::AnyModule", "cloning an empty AnyModule");
  AnyModule copy;
  copy.module_ = module_->clone(device);
  // forward_ casts to the module's type: a clone of another type (a subclass that did not override clone())
  // cannot be called through it.
  const Module &original = *module_, &cloned = *copy.module_;
  WICK_CHECK(typeid(cloned) == typeid(original), "nn::AnyModule::clone", "cloning a ", original.name(), " gave a ",
             cloned.name(), "; a module derived from a cloneable one needs its own Cloneable base");
  copy.forward_ = forward_;
  return copy;
}

// ---- Sequential ------------------------------------------------------------------------------------------

SequentialImpl::SequentialImpl(std::initializer_list<NamedAnyModule> named_modules) {
  for (const NamedAnyModule& m : named_modules) push_back_any(m.name(), m.module());
}

void SequentialImpl::push_back_any(std::string name, AnyModule module) {
  WICK_CHECK(!module.is_empty(), "nn::Sequential", "cannot add an empty module");
  register_module(std::move(name), module.ptr());
  modules_.push_back(std::move(module));
}

void SequentialImpl::push_back(const SequentialImpl& other) {
  for (const AnyModule& m : other.modules_) push_back_any(std::to_string(modules_.size()), m);
}

std::shared_ptr<Module> SequentialImpl::ptr(size_t index) const {
  WICK_CHECK(index < modules_.size(), "nn::Sequential", "index ", (unsigned long)index,
             " is out of range (size ", (unsigned long)modules_.size(), ")");
  return modules_[index].ptr();
}

Tensor SequentialImpl::run(const Tensor& input) const {
  WICK_CHECK(!modules_.empty(), "nn::Sequential", "cannot call forward() on an empty Sequential");
  Tensor x = modules_.front().forward(input);
  for (size_t i = 1; i < modules_.size(); ++i) x = modules_[i].forward(x);
  return x;
}

void SequentialImpl::pretty_print(std::ostream& stream) const { stream << "wick::nn::Sequential"; }

std::shared_ptr<Module> SequentialImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<SequentialImpl>(*this);
  clone_own_tensors(*copy, device);
  copy->modules_.clear();
  const std::vector<std::string> names = children_.keys();  // registered in the modules' order
  WICK_CHECK(names.size() == modules_.size(), "nn::Sequential::clone", "the Sequential has ", modules_.size(),
             " modules but ", names.size(), " registered submodules (one was registered or removed by hand)");
  for (size_t i = 0; i < modules_.size(); ++i) copy->push_back_any(names[i], modules_[i].clone(device));
  return copy;
}

// ---- ModuleList ------------------------------------------------------------------------------------------

void ModuleListImpl::push_back_module(std::shared_ptr<Module> module) {
  WICK_CHECK(module != nullptr, "nn::ModuleList", "cannot add an empty module");
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

void ModuleListImpl::insert(size_t index, std::shared_ptr<Module> module) {
  WICK_CHECK(index <= modules_.size(), "nn::ModuleList", "insert index ", (unsigned long)index,
             " is out of range (size ", (unsigned long)modules_.size(), ")");
  WICK_CHECK(module != nullptr, "nn::ModuleList", "cannot add an empty module");
  modules_.insert(modules_.begin() + std::ptrdiff_t(index), std::move(module));
  renumber();
}

void ModuleListImpl::renumber() {
  children_.clear();
  for (size_t i = 0; i < modules_.size(); ++i) register_module(std::to_string(i), modules_[i]);
}

const std::shared_ptr<Module>& ModuleListImpl::ptr(size_t index) const {
  WICK_CHECK(index < modules_.size(), "nn::ModuleList", "index ", (unsigned long)index,
             " is out of range (size ", (unsigned long)modules_.size(), ")");
  return modules_[index];
}

void ModuleListImpl::pretty_print(std::ostream& stream) const { stream << "wick::nn::ModuleList"; }

std::shared_ptr<Module> ModuleListImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleListImpl>(*this);
  clone_own_tensors(*copy, device);
  copy->modules_.clear();
  for (const std::shared_ptr<Module>& m : modules_) copy->push_back_module(m->clone(device));
  return copy;
}

// ---- ModuleDict ------------------------------------------------------------------------------------------

ModuleDictImpl::ModuleDictImpl(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  update(modules);
}

ModuleDictImpl::ModuleDictImpl(std::initializer_list<NamedModule> modules) {
  for (const NamedModule& m : modules) insert(m.name, m.module);
}

ModuleDictImpl::ModuleDictImpl(const OrderedDict<std::string, std::shared_ptr<Module>>& modules) {
  for (const auto& m : modules) insert(m.key(), m.value());
}

void ModuleDictImpl::insert(const std::string& key, std::shared_ptr<Module> module) {
  WICK_CHECK(module != nullptr, "nn::ModuleDict", "cannot add an empty module under '", key, "'");
  if (modules_.contains(key)) {
    modules_[key] = module;
    replace_module(key, module);
  } else {
    modules_.insert(key, module);
    register_module(key, module);
  }
}

void ModuleDictImpl::update(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules) {
  for (const auto& [key, module] : modules) insert(key, module);
}

std::shared_ptr<Module> ModuleDictImpl::pop(const std::string& key) {
  std::shared_ptr<Module> m = modules_[key];
  modules_.erase(key);
  unregister_module(key);
  return m;
}

void ModuleDictImpl::clear() {
  modules_.clear();
  children_.clear();
}

void ModuleDictImpl::pretty_print(std::ostream& stream) const { stream << "wick::nn::ModuleDict"; }

std::shared_ptr<Module> ModuleDictImpl::clone(const std::optional<Device>& device) const {
  auto copy = std::make_shared<ModuleDictImpl>(*this);
  clone_own_tensors(*copy, device);
  copy->modules_.clear();
  for (const auto& m : modules_) copy->insert(m.key(), m.value()->clone(device));
  return copy;
}

// ---- Functional ------------------------------------------------------------------------------------------

FunctionalImpl::FunctionalImpl(Function function) : function_(std::move(function)) {}

Tensor FunctionalImpl::forward(Tensor input) { return function_(std::move(input)); }

void FunctionalImpl::pretty_print(std::ostream& stream) const { stream << "wick::nn::Functional()"; }

}  // namespace wick::nn
