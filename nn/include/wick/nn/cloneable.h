// nn::Cloneable<Derived>, as LibTorch's torch::nn::Cloneable: derive a module from it (instead of nn::Module) to
// give it clone(), a deep copy. Register the module's parameters, buffers and submodules in reset() and call
// reset() from the constructor:
//
//   struct NetImpl : wick::nn::Cloneable<NetImpl> {
//     NetImpl() { reset(); }
//     void reset() override { fc = register_module("fc", wick::nn::Linear(4, 2)); }
//     wick::nn::Linear fc{nullptr};
//   };
//   auto copy = std::dynamic_pointer_cast<NetImpl>(net->clone());
//
// clone() copies the module (its options and plain members), runs reset() on the copy so that the copy's members
// refer to tensors and submodules of its own, then gives those this module's values. reset() initialises the
// fresh parameters before they are overwritten, so, as in LibTorch, a clone draws from the random generator.
// A module built on another base than nn::Module (wick's RNN layers on their shared RNNImplBase) names it as the
// second argument: Cloneable<LSTMImpl, detail::RNNImplBase>.
#pragma once

#include <memory>
#include <optional>
#include <typeinfo>

#include "wick/nn/module.h"

namespace wick::nn {

namespace detail {
[[noreturn]] void throw_clone_type_mismatch(const std::type_info& expected, const Module& got);
}

template <class Derived, class Base = Module>
class Cloneable : public Base {
 public:
  using Base::Base;

  std::shared_ptr<Module> clone(const std::optional<Device>& device = std::nullopt) const override {
    auto copy = std::make_shared<Derived>(static_cast<const Derived&>(*this));
    this->fill_clone(*copy, device);
    return copy;
  }

 private:
  // This module was made by a clone's reset(); the clone's members point at it, so it takes the clone of `other`
  // by assignment rather than being replaced.
  void clone_(Module& other, const std::optional<Device>& device) final {
    std::shared_ptr<Derived> clone = std::dynamic_pointer_cast<Derived>(other.clone(device));
    if (!clone) detail::throw_clone_type_mismatch(typeid(Derived), other);
    static_cast<Derived&>(*this) = *clone;
  }
};

}  // namespace wick::nn
