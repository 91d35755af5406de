// Containers: Sequential (children "0", "1", ... called in order), ModuleList, ModuleDict, and Functional
// (a function as a layer: Functional(wick::relu)). AnyModule holds any module with Tensor forward(Tensor).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "wick/nn/cloneable.h"

namespace wick::nn {

// A module of any type whose forward takes and returns one Tensor, called without knowing its type.
class AnyModule {
 public:
  AnyModule() = default;
  template <class M, std::enable_if_t<std::is_base_of_v<Module, M>, int> = 0>
  AnyModule(std::shared_ptr<M> module) : module_(std::move(module)), forward_(&call<M>) {}
  template <class M>
  AnyModule(const ModuleHolder<M>& holder) : AnyModule(holder.ptr()) {}
  template <class M, std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>, int> = 0>
  AnyModule(M&& module) : AnyModule(std::make_shared<std::decay_t<M>>(std::forward<M>(module))) {}

  Tensor forward(const Tensor& input) const;
  // An AnyModule holding a clone of this one's module (see Module::clone).
  AnyModule clone(const std::optional<Device>& device = std::nullopt) const;
  const std::shared_ptr<Module>& ptr() const { return module_; }
  template <class T>
  T& get() const {
    auto* m = dynamic_cast<T*>(module_.get());
    if (!m) fail("nn::AnyModule", "the module is not a ", typeid(T).name());
    return *m;
  }
  bool is_empty() const noexcept { return module_ == nullptr; }

 private:
  template <class M>
  static Tensor call(Module* m, const Tensor& x) {
    return static_cast<M*>(m)->forward(x);
  }
  std::shared_ptr<Module> module_;
  Tensor (*forward_)(Module*, const Tensor&) = nullptr;
};

// A name and a module, for Sequential({{"conv", Conv2d(...)}, {"relu", ReLU()}}).
class NamedAnyModule {
 public:
  template <class M>
  NamedAnyModule(std::string name, M&& module) : name_(std::move(name)), module_(std::forward<M>(module)) {}
  const std::string& name() const noexcept { return name_; }
  const AnyModule& module() const noexcept { return module_; }

 private:
  std::string name_;
  AnyModule module_;
};

class SequentialImpl : public Cloneable<SequentialImpl> {
 public:
  SequentialImpl() = default;
  template <class... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }
  explicit SequentialImpl(std::initializer_list<NamedAnyModule> named_modules);

  template <class M>
  void push_back(M&& module) {
    push_back(std::to_string(modules_.size()), std::forward<M>(module));
  }
  template <class M>
  void push_back(std::string name, M&& module) {
    push_back_any(std::move(name), AnyModule(std::forward<M>(module)));
  }
  void push_back(const SequentialImpl& other);  // appends other's modules
  void push_back_any(std::string name, AnyModule module);

  // Calls every module in order; Return exists for LibTorch's seq->forward<Tensor>(x).
  template <class Return = Tensor>
  Return forward(const Tensor& input) {
    static_assert(std::is_same_v<Return, Tensor>, "wick::nn::Sequential returns a Tensor");
    return run(input);
  }

  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }
  std::shared_ptr<Module> ptr(size_t index) const;
  template <class T>
  std::shared_ptr<T> ptr(size_t index) const {
    return std::dynamic_pointer_cast<T>(ptr(index));
  }
  Module& operator[](size_t index) const { return *ptr(index); }
  template <class T>
  T& at(size_t index) const {
    return modules_.at(index).get<T>();
  }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }
  void pretty_print(std::ostream& stream) const override;
  // Clones of the modules, under the same names (the containers' modules come from a list, not from reset()).
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;

 private:
  Tensor run(const Tensor& input) const;
  std::vector<AnyModule> modules_;
};

class Sequential : public ModuleHolder<SequentialImpl> {
 public:
  using ModuleHolder<SequentialImpl>::ModuleHolder;
  using Impl = SequentialImpl;
  Sequential() : ModuleHolder() {}
  Sequential(std::initializer_list<NamedAnyModule> named_modules)
      : ModuleHolder(std::make_shared<SequentialImpl>(named_modules)) {}
};

// Modules kept in a list, registered as children "0", "1", ...; the caller decides how to call them.
class ModuleListImpl : public Cloneable<ModuleListImpl> {
 public:
  ModuleListImpl() = default;
  template <class... Modules>
  explicit ModuleListImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }
  template <class M>
  void push_back(const ModuleHolder<M>& holder) {
    push_back(std::static_pointer_cast<Module>(holder.ptr()));
  }
  template <class M, std::enable_if_t<std::is_base_of_v<Module, M>, int> = 0>
  void push_back(std::shared_ptr<M> module) {
    push_back_module(std::static_pointer_cast<Module>(std::move(module)));
  }
  template <class M, std::enable_if_t<std::is_base_of_v<Module, std::decay_t<M>>, int> = 0>
  void push_back(M&& module) {
    push_back_module(std::make_shared<std::decay_t<M>>(std::forward<M>(module)));
  }
  template <class Container>
  void extend(const Container& container) {
    for (const auto& m : container) push_back(m);
  }
  void insert(size_t index, std::shared_ptr<Module> module);

  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }
  const std::shared_ptr<Module>& ptr(size_t index) const;
  template <class T>
  std::shared_ptr<T> ptr(size_t index) const {
    return std::dynamic_pointer_cast<T>(ptr(index));
  }
  Module& operator[](size_t index) const { return *ptr(index); }
  template <class T>
  T& at(size_t index) const {
    auto* m = dynamic_cast<T*>(ptr(index).get());
    if (!m) fail("nn::ModuleList", "module ", (unsigned long)index, " is not a ", typeid(T).name());
    return *m;
  }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }
  void pretty_print(std::ostream& stream) const override;
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;

 private:
  void push_back_module(std::shared_ptr<Module> module);
  void renumber();
  std::vector<std::shared_ptr<Module>> modules_;
};
WICK_MODULE(ModuleList);

// A name and a module handle, for ModuleDict({{"encoder", Linear(4, 2)}, ...}).
struct NamedModule {
  template <class M>
  NamedModule(std::string name, const ModuleHolder<M>& holder) : name(std::move(name)), module(holder.ptr()) {}
  template <class M, std::enable_if_t<std::is_base_of_v<Module, M>, int> = 0>
  NamedModule(std::string name, std::shared_ptr<M> module) : name(std::move(name)), module(std::move(module)) {}
  std::string name;
  std::shared_ptr<Module> module;
};

// Modules by name, in insertion order, registered as children under those names.
class ModuleDictImpl : public Cloneable<ModuleDictImpl> {
 public:
  ModuleDictImpl() = default;
  explicit ModuleDictImpl(std::initializer_list<NamedModule> modules);
  explicit ModuleDictImpl(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);
  explicit ModuleDictImpl(const OrderedDict<std::string, std::shared_ptr<Module>>& modules);

  template <class M>
  void insert(const std::string& key, const ModuleHolder<M>& holder) {
    insert(key, std::static_pointer_cast<Module>(holder.ptr()));
  }
  void insert(const std::string& key, std::shared_ptr<Module> module);
  void update(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& modules);
  std::shared_ptr<Module> pop(const std::string& key);
  void clear();

  size_t size() const noexcept { return modules_.size(); }
  bool empty() const noexcept { return modules_.is_empty(); }
  bool contains(const std::string& key) const noexcept { return modules_.contains(key); }
  std::vector<std::string> keys() const { return modules_.keys(); }
  std::vector<std::shared_ptr<Module>> values() const { return modules_.values(); }
  const OrderedDict<std::string, std::shared_ptr<Module>>& items() const { return modules_; }
  std::shared_ptr<Module> operator[](const std::string& key) const { return modules_[key]; }
  template <class T>
  T& at(const std::string& key) const {
    auto* m = dynamic_cast<T*>(modules_[key].get());
    if (!m) fail("nn::ModuleDict", "module '", key, "' is not a ", typeid(T).name());
    return *m;
  }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }
  void pretty_print(std::ostream& stream) const override;
  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override;

 private:
  OrderedDict<std::string, std::shared_ptr<Module>> modules_{"Module"};
};
class ModuleDict : public ModuleHolder<ModuleDictImpl> {
 public:
  using ModuleHolder<ModuleDictImpl>::ModuleHolder;
  using Impl = ModuleDictImpl;
  ModuleDict() : ModuleHolder() {}
  ModuleDict(std::initializer_list<NamedModule> modules)
      : ModuleHolder(std::make_shared<ModuleDictImpl>(modules)) {}
};

// A function as a module, for Sequential: Functional(wick::relu), Functional([](Tensor x) { ... }).
class FunctionalImpl : public Cloneable<FunctionalImpl> {
 public:
  using Function = std::function<Tensor(Tensor)>;
  explicit FunctionalImpl(Function function);
  // A function with extra leading arguments bound: Functional(wick::leaky_relu, 0.2) calls leaky_relu(x, 0.2).
  template <class F, class A, class... Rest>
  FunctionalImpl(F&& f, A&& a, Rest&&... rest)
      : FunctionalImpl(Function([f = std::forward<F>(f), a = std::forward<A>(a), ... rest = std::forward<Rest>(rest)](
                                    Tensor x) { return f(std::move(x), a, rest...); })) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(Tensor input);

 private:
  Function function_;
};
WICK_MODULE(Functional);

}  // namespace wick::nn
