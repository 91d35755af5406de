// Sequential, ModuleList, ModuleDict, Functional and AnyModule.
#include "wick/nn/modules/container.h"

#include <ostream>

namespace wick::nn {

Tensor AnyModule::forward(const Tensor& input) const {
  WICK_CHECK(module_ != nullptr, "nn::AnyModule", "calling forward on an empty AnyModule");
  return forward_(module_.get(), input);
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

// ---- Functional ------------------------------------------------------------------------------------------

FunctionalImpl::FunctionalImpl(Function function) : function_(std::move(function)) {}

Tensor FunctionalImpl::forward(Tensor input) { return function_(std::move(input)); }

void FunctionalImpl::pretty_print(std::ostream& stream) const { stream << "wick::nn::Functional()"; }

}  // namespace wick::nn
