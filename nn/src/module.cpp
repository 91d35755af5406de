// Module: the tree of children, parameters and buffers; walks over it; modes; device and dtype moves;
// LibTorch-style printing.
#include "wick/nn/module.h"

#include <cxxabi.h>

#include <cstdlib>
#include <ostream>
#include <sstream>

#include "wick/arg.h"
#include "wick/grad_mode.h"
#include "wick/nn/enum.h"
#include "wick/ops.h"

namespace wick {

namespace detail {
std::ostream& print_ints(std::ostream& os, const int64_t* values, size_t n) {
  os << '[';
  for (size_t i = 0; i < n; ++i) os << (i ? ", " : "") << values[i];
  return os << ']';
}
std::ostream& print_doubles(std::ostream& os, const double* values, size_t n) {
  os << '[';
  for (size_t i = 0; i < n; ++i) os << (i ? ", " : "") << values[i];
  return os << ']';
}
}  // namespace detail

namespace enumtype {
const char* name_of(Tag tag) {
  switch (tag) {
#define WICK_ENUM_NAME(name, text) \
  case Tag::name: return text;
    WICK_ENUM_TAGS(WICK_ENUM_NAME)
#undef WICK_ENUM_NAME
  }
  return "?";
}
}  // namespace enumtype

namespace nn {

namespace detail {
std::string demangle(const char* mangled) {
  int status = 0;
  char* out = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string s = status == 0 && out ? out : mangled;
  std::free(out);
  return s;
}

void throw_empty_holder(const char* type) {
  fail("nn::ModuleHolder", "accessing an empty ", demangle(type),
       " holder; construct the module first (it was declared with nullptr)");
}
}  // namespace detail

namespace {
// Gives `t` the storage, dtype, device and layout of `src`, so every handle to t sees the converted tensor.
void replace_data(const Tensor& t, const Tensor& src) {
  TensorImpl* d = t.impl();
  TensorImpl* s = src.impl();
  if (d == s) return;
  s->storage->incref();
  d->storage->decref();
  d->storage = s->storage;
  d->dtype = s->dtype;
  d->device = s->device;
  d->offset = s->offset;
  d->sizes = s->sizes;
  d->strides = s->strides;
}
}  // namespace

Module::Module(std::string name) : name_(std::move(name)) {}
Module::Module() = default;

const std::string& Module::name() const noexcept {
  if (!name_) name_ = detail::demangle(typeid(*this).name());
  return *name_;
}

// ---- walks ---------------------------------------------------------------------------------------------

OrderedDict<std::string, Tensor> Module::named_parameters(bool recurse) const {
  OrderedDict<std::string, Tensor> out("Parameter");
  if (!recurse) {
    for (const auto& p : parameters_)
      if (p.value().defined()) out.insert(p.key(), p.value());
    return out;
  }
  apply([&out](const std::string& prefix, const std::shared_ptr<Module>& m) {
    for (const auto& p : m->parameters_)
      if (p.value().defined()) out.insert(prefix.empty() ? p.key() : prefix + "." + p.key(), p.value());
  });
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }

OrderedDict<std::string, Tensor> Module::named_buffers(bool recurse) const {
  OrderedDict<std::string, Tensor> out("Buffer");
  if (!recurse) {
    for (const auto& b : buffers_)
      if (b.value().defined()) out.insert(b.key(), b.value());
    return out;
  }
  apply([&out](const std::string& prefix, const std::shared_ptr<Module>& m) {
    for (const auto& b : m->buffers_)
      if (b.value().defined()) out.insert(prefix.empty() ? b.key() : prefix + "." + b.key(), b.value());
  });
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

OrderedDict<std::string, Tensor> Module::state_dict() const {
  OrderedDict<std::string, Tensor> out("Key");
  apply([&out](const std::string& prefix, const std::shared_ptr<Module>& m) {
    const std::string dot = prefix.empty() ? "" : prefix + ".";
    for (const auto& p : m->parameters_)
      if (p.value().defined()) out.insert(dot + p.key(), p.value());
    for (const auto& b : m->buffers_)
      if (b.value().defined()) out.insert(dot + b.key(), b.value());
  });
  return out;
}

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_modules(const std::string& name_prefix,
                                                                        bool include_self) const {
  OrderedDict<std::string, std::shared_ptr<Module>> out("Module");
  if (include_self) {
    // A module not owned by a shared_ptr (a stack object) is listed through a non-owning pointer.
    std::shared_ptr<Module> self = std::const_pointer_cast<Module>(weak_from_this().lock());
    if (!self) self = std::shared_ptr<Module>(std::shared_ptr<Module>(), const_cast<Module*>(this));
    out.insert(name_prefix, std::move(self));
  }
  for (const auto& child : children_) {
    const std::string prefix = name_prefix.empty() ? child.key() : name_prefix + "." + child.key();
    for (const auto& m : child.value()->named_modules(prefix, true)) out.insert(m.key(), m.value());
  }
  return out;
}

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) const {
  return named_modules("", include_self).values();
}

std::vector<std::shared_ptr<Module>> Module::children() const { return children_.values(); }

OrderedDict<std::string, std::shared_ptr<Module>> Module::named_children() const { return children_; }

void Module::apply(const ModuleApplyFunction& function) {
  function(*this);
  for (const auto& child : children_) child.value()->apply(function);
}

void Module::apply(const ConstModuleApplyFunction& function) const {
  function(*this);
  for (const auto& child : children_) static_cast<const Module&>(*child.value()).apply(function);
}

void Module::apply(const NamedModuleApplyFunction& function, const std::string& name_prefix) {
  function(name_prefix, *this);
  for (const auto& child : children_)
    child.value()->apply(function, name_prefix.empty() ? child.key() : name_prefix + "." + child.key());
}

void Module::apply(const ModulePointerApplyFunction& function) const {
  for (const auto& m : modules(true)) function(m);
}

void Module::apply(const NamedModulePointerApplyFunction& function, const std::string& name_prefix) const {
  for (const auto& m : named_modules(name_prefix, true)) function(m.key(), m.value());
}

int64_t Module::num_parameters(bool only_trainable) const {
  int64_t n = 0;
  for (const Tensor& p : parameters())
    if (!only_trainable || p.requires_grad()) n += p.numel();
  return n;
}

// ---- modes, moves, gradients -----------------------------------------------------------------------------

void Module::train(bool on) {
  is_training_ = on;
  for (const auto& child : children_) child.value()->train(on);
}

void Module::apply_to_tensors(const std::function<Tensor(const Tensor&, bool)>& convert) {
  NoGradGuard no_grad;
  apply([&convert](Module& m) {
    for (auto& p : m.parameters_) {
      const Tensor& t = p.value();
      if (!t.defined()) continue;
      const Tensor grad = t.grad();
      replace_data(t, convert(t.detach(), true));
      if (grad.defined()) t.mutable_grad() = convert(grad, true);
    }
    for (auto& b : m.buffers_)
      if (b.value().defined()) replace_data(b.value(), convert(b.value().detach(), false));
  });
}

void Module::to(Device device, ScalarType dtype, bool /*non_blocking*/) {
  apply_to_tensors([&](const Tensor& t, bool) { return t.is_floating_point() ? t.to(device, dtype) : t.to(device); });
}

void Module::to(ScalarType dtype, bool /*non_blocking*/) {
  apply_to_tensors([&](const Tensor& t, bool) { return t.is_floating_point() ? t.to(dtype) : t; });
}

void Module::to(Device device, bool /*non_blocking*/) {
  apply_to_tensors([&](const Tensor& t, bool) { return t.to(device); });
}

void Module::zero_grad(bool set_to_none) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters()) {
    if (!p.grad().defined()) continue;
    if (set_to_none)
      p.mutable_grad() = Tensor();
    else
      p.mutable_grad().zero_();
  }
}

// ---- registration ----------------------------------------------------------------------------------------

namespace {
void check_name(const char* what, const std::string& name) {
  WICK_CHECK(!name.empty(), "nn::Module", what, " name must not be empty");
  WICK_CHECK(name.find('.') == std::string::npos, "nn::Module", what, " name must not contain a dot (got '", name,
             "')");
}
}  // namespace

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_name("Parameter", name);
  if (tensor.defined()) tensor.requires_grad_(requires_grad);
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  check_name("Buffer", name);
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::check_module_name(const std::string& name, bool defined) const {
  check_name("Submodule", name);
  WICK_CHECK(defined, "nn::Module", "cannot register an empty submodule '", name, "'");
}

void Module::unregister_module(const std::string& name) {
  WICK_CHECK(children_.contains(name), "nn::Module", "no submodule named '", name, "' to unregister");
  children_.erase(name);
}

// ---- deep copies -----------------------------------------------------------------------------------------

namespace detail {
void throw_clone_type_mismatch(const std::type_info& expected, const Module& got) {
  fail("nn::Module::clone", "the clone's reset() made a ", demangle(expected.name()), " where the module has a ",
       got.name(), " (was a submodule replaced after construction?)");
}
}  // namespace detail

namespace {

[[noreturn]] void throw_not_cloneable(const Module& m) {
  fail("nn::Module::clone", m.name(), " cannot be cloned: derive it from nn::Cloneable<", m.name(),
       "> instead of nn::Module, registering its parameters, buffers and submodules in reset()");
}

// A new tensor with t's values: on `device` when given, else where t is.
Tensor copied(const Tensor& t, const std::optional<Device>& device) {
  return device && t.device() != *device ? t.detach().to(*device) : t.detach().clone();
}

// Both modules register the same names (reset() made `copy`'s), or the error says which differ.
template <class Value>
void check_same_names(const char* what, const Module& original, const OrderedDict<std::string, Value>& mine,
                      const OrderedDict<std::string, Value>& theirs) {
  if (mine.keys() == theirs.keys()) return;
  auto list = [](const std::vector<std::string>& keys) {
    std::string s = "[";
    for (size_t i = 0; i < keys.size(); ++i) s += (i ? ", " : "") + keys[i];
    return s + "]";
  };
  fail("nn::Module::clone", original.name(), "'s reset() registered the ", what, " ", list(theirs.keys()),
       " but the module has ", list(mine.keys()), ": register them in reset(), not in the constructor");
}

}  // namespace

std::shared_ptr<Module> Module::clone(const std::optional<Device>&) const { throw_not_cloneable(*this); }

void Module::clone_(Module&, const std::optional<Device>&) { throw_not_cloneable(*this); }

void Module::fill_clone(Module& copy, const std::optional<Device>& device) const {
  NoGradGuard no_grad;
  copy.parameters_.clear();
  copy.buffers_.clear();
  copy.children_.clear();
  copy.reset();
  check_same_names("parameters", *this, parameters_, copy.parameters_);
  check_same_names("buffers", *this, buffers_, copy.buffers_);
  check_same_names("submodules", *this, children_, copy.children_);
  // The copy's members hold the tensors reset() registered, so those take the values (replace_data), with this
  // module's dtype and device rather than reset()'s defaults.
  for (const auto& p : parameters_) {
    if (!p.value().defined()) continue;
    const Tensor& target = copy.parameters_[p.key()];
    WICK_CHECK(target.defined(), "nn::Module::clone", name(), "'s reset() left parameter '", p.key(), "' undefined");
    replace_data(target, copied(p.value(), device));
    target.requires_grad_(p.value().requires_grad());
  }
  for (const auto& b : buffers_) {
    if (!b.value().defined()) continue;
    const Tensor& target = copy.buffers_[b.key()];
    WICK_CHECK(target.defined(), "nn::Module::clone", name(), "'s reset() left buffer '", b.key(), "' undefined");
    replace_data(target, copied(b.value(), device));
  }
  for (const auto& child : children_) copy.children_[child.key()]->clone_(*child.value(), device);
}

void Module::clone_own_tensors(Module& copy, const std::optional<Device>& device) const {
  NoGradGuard no_grad;
  for (auto& p : copy.parameters_)
    if (p.value().defined()) p.value() = copied(p.value(), device).requires_grad_(p.value().requires_grad());
  for (auto& b : copy.buffers_)
    if (b.value().defined()) b.value() = copied(b.value(), device);
  copy.children_.clear();
}

// ---- printing --------------------------------------------------------------------------------------------

void Module::pretty_print(std::ostream& stream) const { stream << name(); }

void Module::pretty_print_recursive(std::ostream& stream, const std::string& indentation) const {
  pretty_print(stream);
  if (children_.is_empty()) return;
  stream << "(\n";
  const std::string next = indentation + "  ";
  for (const auto& child : children_) {
    stream << next << "(" << child.key() << "): ";
    child.value()->pretty_print_recursive(stream, next);
    stream << '\n';
  }
  stream << indentation << ")";
}

std::string Module::str() const {
  std::ostringstream s;
  pretty_print_recursive(s, "");
  return s.str();
}

std::ostream& operator<<(std::ostream& stream, const Module& module) {
  module.pretty_print_recursive(stream, "");
  return stream;
}

}  // namespace nn
}  // namespace wick
