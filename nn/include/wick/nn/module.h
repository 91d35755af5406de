// wick::nn::Module, the base of every layer, shaped as LibTorch's torch::nn::Module: a tree of named
// submodules, parameters and buffers, with train/eval mode, device/dtype moves and LibTorch-style printing.
// Parameter names and state_dict() keys equal PyTorch's ("features.0.weight"), so weights move between
// the two by name.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "wick/nn/ordered_dict.h"
#include "wick/tensor.h"

namespace wick::nn {

template <class Contained>
class ModuleHolder;

class Module : public std::enable_shared_from_this<Module> {
 public:
  using ModuleApplyFunction = std::function<void(Module&)>;
  using ConstModuleApplyFunction = std::function<void(const Module&)>;
  using NamedModuleApplyFunction = std::function<void(const std::string&, Module&)>;
  using ModulePointerApplyFunction = std::function<void(const std::shared_ptr<Module>&)>;
  using NamedModulePointerApplyFunction = std::function<void(const std::string&, const std::shared_ptr<Module>&)>;

  explicit Module(std::string name);
  Module();
  Module(const Module&) = default;
  Module& operator=(const Module&) = default;
  Module(Module&&) noexcept = default;
  Module& operator=(Module&&) noexcept = default;
  virtual ~Module() = default;

  // The module's type name (demangled C++ type, as LibTorch), unless one was given to the constructor.
  const std::string& name() const noexcept;

  // ---- the module tree ------------------------------------------------------------------------------
  std::vector<Tensor> parameters(bool recurse = true) const;
  // "fc1.weight", "fc1.bias", ... in registration order, depth first (PyTorch's order).
  OrderedDict<std::string, Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<std::string, Tensor> named_buffers(bool recurse = true) const;
  // Parameters and buffers under PyTorch's state_dict keys and order (each module's own, then its children's).
  OrderedDict<std::string, Tensor> state_dict() const;
  // This module (unless include_self is false) and every descendant, depth first.
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true) const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_modules(const std::string& name_prefix = std::string(),
                                                                 bool include_self = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::string, std::shared_ptr<Module>> named_children() const;

  void apply(const ModuleApplyFunction& function);
  void apply(const ConstModuleApplyFunction& function) const;
  void apply(const NamedModuleApplyFunction& function, const std::string& name_prefix = std::string());
  void apply(const ModulePointerApplyFunction& function) const;
  void apply(const NamedModulePointerApplyFunction& function, const std::string& name_prefix = std::string()) const;

  // ---- modes, devices, gradients ---------------------------------------------------------------------
  virtual void train(bool on = true);
  void eval() { train(false); }
  virtual bool is_training() const noexcept { return is_training_; }
  // Converts every parameter and buffer in place: handles held elsewhere (an optimizer's, a layer's
  // public `weight`) see the moved tensor. Integer buffers keep their dtype.
  virtual void to(Device device, ScalarType dtype, bool non_blocking = false);
  virtual void to(ScalarType dtype, bool non_blocking = false);
  virtual void to(Device device, bool non_blocking = false);
  // Resets the gradients of all parameters: to undefined (set_to_none) or to zeros.
  virtual void zero_grad(bool set_to_none = true);

  // ---- printing -------------------------------------------------------------------------------------
  // One line describing this module alone ("wick::nn::Linear(in_features=4, out_features=2, bias=true)").
  virtual void pretty_print(std::ostream& stream) const;
  // The module and its children, indented, as LibTorch's operator<<.
  std::string str() const;

  // ---- registration ---------------------------------------------------------------------------------
  // Registers a parameter (requires_grad set as given). An undefined tensor registers an absent parameter
  // (e.g. bias=false) that listings skip.
  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  Tensor& register_buffer(std::string name, Tensor tensor);
  template <class ModuleType>
  std::shared_ptr<ModuleType> register_module(std::string name, std::shared_ptr<ModuleType> module) {
    check_module_name(name, module != nullptr);
    children_.insert(std::move(name), std::static_pointer_cast<Module>(module));
    return module;
  }
  template <class ModuleType>
  std::shared_ptr<ModuleType> register_module(std::string name, ModuleHolder<ModuleType> holder) {
    return register_module(std::move(name), holder.ptr());
  }
  template <class ModuleType>
  std::shared_ptr<ModuleType> replace_module(const std::string& name, std::shared_ptr<ModuleType> module) {
    children_[name] = std::static_pointer_cast<Module>(module);
    return module;
  }
  template <class ModuleType>
  std::shared_ptr<ModuleType> replace_module(const std::string& name, ModuleHolder<ModuleType> holder) {
    return replace_module(name, holder.ptr());
  }
  void unregister_module(const std::string& name);

  // The module as a concrete type, or nullptr: module.as<Linear>() or module.as<LinearImpl>().
  template <class T>
  auto* as() noexcept {
    if constexpr (requires { typename T::ContainedType; }) return dynamic_cast<typename T::ContainedType*>(this);
    else return dynamic_cast<T*>(this);
  }
  template <class T>
  const auto* as() const noexcept {
    if constexpr (requires { typename T::ContainedType; })
      return dynamic_cast<const typename T::ContainedType*>(this);
    else return dynamic_cast<const T*>(this);
  }

  // Number of parameter elements (all, or only those that require grad).
  int64_t num_parameters(bool only_trainable = false) const;

  // ---- deep copies ----------------------------------------------------------------------------------
  // A deep copy, as LibTorch's Module::clone: the same type and options, its own parameters and buffers holding
  // copies of this module's values (moved to `device` when given), parameters as new leaves with the same
  // requires_grad and no gradient, submodules cloned likewise. Modules derived from nn::Cloneable<Derived>
  // (every built-in one) have it; on any other module it is an error, since a plain Module's members (a `Tensor
  // weight`, a `Linear fc`) cannot be re-pointed at the copies.
  virtual std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const;
  // (Re)creates the module's parameters, buffers and submodules from its options. clone() runs it on a copy of
  // the module, so that the copy's members refer to tensors and submodules of its own; a Cloneable module does
  // all its registration here (and its constructor calls it), as in LibTorch. This default has nothing to create.
  virtual void reset() {}

 protected:
  // Built-in layers pass their output through this, so summary() can see every layer's output shape.
  const Tensor& traced(const Tensor& output) const;

  // The work of Cloneable<Derived>::clone once it has copied the module into `copy`: clears the copy's
  // registrations, runs its reset(), checks it registered the same names as this module, fills its parameters
  // and buffers with copies of this module's values and makes each of its submodules a clone of this one's.
  void fill_clone(Module& copy, const std::optional<Device>& device) const;
  // The same for containers, whose submodules come from a list rather than reset(): gives `copy` copies of this
  // module's own parameters and buffers (new tensors) and no submodules; the container adds clones of its own.
  void clone_own_tensors(Module& copy, const std::optional<Device>& device) const;

  OrderedDict<std::string, Tensor> parameters_{"Parameter"};
  OrderedDict<std::string, Tensor> buffers_{"Buffer"};
  OrderedDict<std::string, std::shared_ptr<Module>> children_{"Submodule"};

 private:
  friend std::ostream& operator<<(std::ostream& stream, const Module& module);
  friend class ModeSnapshot;
  void check_module_name(const std::string& name, bool defined) const;
  void pretty_print_recursive(std::ostream& stream, const std::string& indentation) const;
  void apply_to_tensors(const std::function<Tensor(const Tensor&, bool is_parameter)>& convert);
  // Makes this module (a submodule of a clone, made by its parent's reset()) a clone of `other`, the original's
  // submodule of the same name. Cloneable implements it; here it is the "not cloneable" error.
  virtual void clone_(Module& other, const std::optional<Device>& device);

  bool is_training_ = true;
  mutable std::optional<std::string> name_;
};

std::ostream& operator<<(std::ostream& stream, const Module& module);

// ---- shared handles (LibTorch's ModuleHolder / TORCH_MODULE) ----------------------------------------------

namespace detail {
[[noreturn]] void throw_empty_holder(const char* type);
}

// A shared handle to a module: `Linear fc{nullptr}` is empty, `Linear fc(4, 2)` makes a LinearImpl, and
// `fc->forward(x)` or `fc(x)` calls it. Copies share the module.
template <class Contained>
class ModuleHolder {
 public:
  using ContainedType = Contained;

  ModuleHolder() : impl_(default_construct()) {}
  ModuleHolder(std::nullptr_t) : impl_(nullptr) {}
  template <class Head, class... Tail,
            class = std::enable_if_t<!(sizeof...(Tail) == 0 &&
                                       (std::is_same_v<std::decay_t<Head>, std::nullptr_t> ||
                                        std::is_base_of_v<ModuleHolder, std::decay_t<Head>> ||
                                        std::is_same_v<std::decay_t<Head>, std::shared_ptr<Contained>>))>>
  explicit ModuleHolder(Head&& head, Tail&&... tail)
      : impl_(std::make_shared<Contained>(std::forward<Head>(head), std::forward<Tail>(tail)...)) {}
  ModuleHolder(std::shared_ptr<Contained> module) : impl_(std::move(module)) {}

  explicit operator bool() const noexcept { return impl_ != nullptr; }
  bool is_empty() const noexcept { return impl_ == nullptr; }
  // Constness of the handle does not reach the module, as with std::shared_ptr (so a holder captured by
  // value in a lambda can still be called).
  Contained* operator->() const { return get(); }
  Contained& operator*() const { return *get(); }
  const std::shared_ptr<Contained>& ptr() const {
    if (!impl_) detail::throw_empty_holder(typeid(Contained).name());
    return impl_;
  }
  Contained* get() const {
    if (!impl_) detail::throw_empty_holder(typeid(Contained).name());
    return impl_.get();
  }
  template <class... Args>
  decltype(auto) operator()(Args&&... args) const {
    return get()->forward(std::forward<Args>(args)...);
  }
  template <class Arg>
  decltype(auto) operator[](Arg&& arg) const {
    return (*get())[std::forward<Arg>(arg)];
  }

 protected:
  static std::shared_ptr<Contained> default_construct() {
    if constexpr (std::is_default_constructible_v<Contained>) {
      return std::make_shared<Contained>();
    } else {
      static_assert(std::is_default_constructible_v<Contained>,
                    "this module has no default constructor; give the holder the empty state instead "
                    "(`Linear fc{nullptr};` or `Linear fc = nullptr;`)");
      return nullptr;
    }
  }

  std::shared_ptr<Contained> impl_;
};

template <class Contained>
std::ostream& operator<<(std::ostream& stream, const ModuleHolder<Contained>& holder) {
  return stream << static_cast<const Module&>(*holder);
}

}  // namespace wick::nn

// WICK_MODULE(Linear) declares `Linear`, the shared handle of `LinearImpl`, as LibTorch's TORCH_MODULE.
#define WICK_MODULE_IMPL(Name, ImplType)                          \
  class Name : public ::wick::nn::ModuleHolder<ImplType> {       \
   public:                                                        \
    using ::wick::nn::ModuleHolder<ImplType>::ModuleHolder;       \
    using Impl = ImplType;                                        \
  }
#define WICK_MODULE(Name) WICK_MODULE_IMPL(Name, Name##Impl)
// Ported LibTorch code keeps its TORCH_MODULE lines.
#ifndef TORCH_MODULE
#define TORCH_MODULE(Name) WICK_MODULE(Name)
#endif
